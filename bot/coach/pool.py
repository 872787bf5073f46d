"""Runs LLM coaching off the request path, in a bounded pool; the result replaces the offline reply.

The acknowledgement always carries the offline coach's advice. When an LLM is configured, the same
reply is rendered again with the LLM's phrasing and sent through the command's response URL. A full
pool or a failing LLM simply leaves the offline advice in place."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_sdk.webhook import WebhookClient

from bot.coach.llm import LLMCoach
from bot.coach.types import CoachRequest
from bot.llm.client import LLMUnavailable
from bot.render.blocks import Reply
from bot.services.results import DealResult

log = logging.getLogger(__name__)
WORKERS = 32  # LLM calls are waits on the network, not CPU
MAX_WAITING = 256  # beyond this, the offline advice is the answer


class CoachPool:
    def __init__(self, coach: LLMCoach, render: Callable[[DealResult], Reply], *, workers: int = WORKERS,
                 max_waiting: int = MAX_WAITING) -> None:
        self._coach, self._render = coach, render
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm-coach")
        self._slots = threading.BoundedSemaphore(max_waiting)

    def submit(self, result: DealResult, response_url: str) -> bool:
        """Queues the LLM's version of this reply; False when the pool is full (the offline reply stands)."""
        if result.advice is None or not self._slots.acquire(blocking=False):
            return False
        try:
            self._executor.submit(self._run, result, response_url)
        except RuntimeError:  # shutting down
            self._slots.release()
            return False
        return True

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, result: DealResult, response_url: str) -> None:
        try:
            request = CoachRequest(result.deal, result.ledger, result.what_if or result.judgement, result.policy,
                                   result.moment.value, customer_words=result.customer_words,
                                   question=result.question)
            advice = self._coach.advise(request)
            message = self._render(dataclasses.replace(result, advice=advice))
            WebhookClient(response_url, timeout=5).send(
                text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=True
            )
        except LLMUnavailable as exc:
            log.info("LLM coaching not used (%s); the offline advice stands", exc)
        except Exception:  # a bug here must not kill the pool thread; the offline advice already reached the rep
            log.exception("LLM coaching follow-up failed")
        finally:
            self._slots.release()
