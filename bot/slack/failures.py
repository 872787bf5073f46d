"""The one place a failure becomes the sentence the person waiting reads, "try again" included."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.commands.parse import CommandError
from bot.domain.errors import DealCoachError
from bot.render import replies, words
from bot.render.blocks import Reply

log = logging.getLogger(__name__)
_T = TypeVar("_T")


def failure_sentence(exc: Exception) -> str:
    """Known errors say what was wrong; the database being away is "try again"; anything else is logged with a
    reference the user can quote, so the sentence and the log line find each other."""
    if isinstance(exc, DealCoachError):
        return exc.message
    if isinstance(exc, (OperationalError, DBAPIError, PoolTimeout)):  # PoolTimeout: no free connection in time
        log.warning("database unavailable: %s", type(exc).__name__)
        return words.TRY_AGAIN
    ref = uuid.uuid4().hex[:10]
    log.error("unexpected error, ref %s", ref, exc_info=exc)
    return words.UNEXPECTED.format(ref=ref)


def failure_reply(exc: Exception, usage: str | None = None) -> Reply:
    """The failure as a private reply; bad input shows the usage line that would have worked."""
    if isinstance(exc, CommandError):
        usage = exc.usage
    elif not isinstance(exc, DealCoachError):
        usage = None  # a usage line would suggest the user typed it wrong
    return replies.error_reply(failure_sentence(exc), usage)


def guarded(work: Callable[[], _T], *, usage: str | None = None) -> _T | Reply:
    """What `work` returns, or its failure as a reply. Never raises."""
    try:
        return work()
    except Exception as exc:
        return failure_reply(exc, usage)
