"""Delivers what a person is owed after Slack's acknowledgement: through the outbox, else straight to Slack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.render.blocks import Reply
from bot.services.access import Actor
from bot.services.notices import NoticeService

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Recipient:
    """The person waiting, and every way this request has of reaching them."""

    actor: Actor
    client: WebClient  # the listener's Bolt client
    response_url: str | None = None  # buttons and shortcuts have one; forms do not
    thread_ts: str | None = None


def tell(notices: NoticeService, to: Recipient, reply: Reply | None, *, replace: bool = False) -> None:
    """`reply` privately to the person waiting; with `replace`, in place of the message they clicked on (None
    deletes it). The outbox first: it outlives Slack's rate limits and restarts. When the outbox cannot take it
    (the database is away, most often), straight to Slack, so no answer is lost with the database, "try again"
    least of all."""
    if reply is None and not (replace and to.response_url):
        return  # nothing to say, nothing to delete
    try:
        if replace and to.response_url:
            notices.respond(to.actor, to.response_url, reply)
            return
        if reply is not None and to.actor.channel_id:
            notices.private(to.actor, reply, thread_ts=to.thread_ts)
            return
    except Exception as exc:  # whatever the outbox's trouble, the person is still owed the answer
        log.warning("outbox unavailable; answering %s straight through Slack (%s)", to.actor.user_id,
                    type(exc).__name__)
    straight(to, reply, replace=replace)


def straight(to: Recipient, reply: Reply | None, *, replace: bool) -> None:
    """Straight to Slack, bypassing the outbox: each way this request can reach the person, in turn, until one
    works (with `replace`, the response URL first, since only it replaces the message clicked on)."""
    for way in _ways(to, reply, replace=replace):
        try:
            way()
            return
        except Exception as exc:  # the next way may still work
            # The error's type only: its text may carry the response URL, which lets anyone answer as the app.
            log.warning("could not answer %s one way (%s); trying the next", to.actor.user_id, type(exc).__name__)
    # Not the answer itself: it may name the floor or the customer's words.
    log.error("no way left to answer %s", to.actor.user_id)


def _ways(to: Recipient, reply: Reply | None, *, replace: bool) -> list[Callable[[], object]]:
    actor, client, url = to.actor, to.client, to.response_url
    ways: list[Callable[[], object]] = []
    if reply is not None and actor.channel_id:  # where the outbox would have put it, in its thread
        ways.append(lambda: client.chat_postEphemeral(channel=actor.channel_id, user=actor.user_id, text=reply.text,
                                                      blocks=reply.blocks, thread_ts=to.thread_ts))
    if url:  # only the response URL replaces or deletes the message clicked on
        ways.insert(0 if replace else len(ways), lambda: _send(url, reply, replace=replace))
    if reply is not None:  # no channel, or the bot is not in it: their direct messages with the app always work
        ways.append(lambda: client.chat_postMessage(channel=actor.user_id, text=reply.text, blocks=reply.blocks))
    return ways


def _send(url: str, reply: Reply | None, *, replace: bool) -> None:
    hook = WebhookClient(url, timeout=WEBHOOK_TIMEOUT_SECONDS)
    if reply is None:
        response = hook.send_dict({"delete_original": True})
    else:
        response = hook.send(text=reply.text, blocks=reply.blocks, response_type="ephemeral",
                             replace_original=replace)
    if response.status_code != 200:  # the webhook client reports a refusal rather than raising it
        raise ConnectionRefusedError(f"the response URL answered {response.status_code}")
