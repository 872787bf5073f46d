"""The message shortcut "Coach this message": a message in a deal's thread read like a rep's thread message
(an offer it names is proposed for the ledger, with buttons), else coaching on its words."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.render import replies
from bot.render.blocks import Reply
from bot.render.proposals import proposal_message
from bot.services.access import Actor
from bot.services.threads import message_ts
from bot.slack.actors import actor_from
from bot.slack.answers import Recipient, tell
from bot.slack.failures import guarded
from bot.slack.ids import Shortcut
from bot.slack.router import Services


def register(app: App, services: Services) -> None:
    @app.shortcut(Shortcut.COACH_MESSAGE)
    def coach_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        actor = actor_from(body)
        if actor is None:
            return
        message = body.get("message") or {}
        thread = str(message.get("thread_ts") or message.get("ts") or "")
        text = str(message.get("text") or "")[:4000]
        ts = message_ts(message.get("ts"))
        url = body.get("response_url")
        reply = guarded(lambda: _answer(services, actor, thread, text, ts))
        to = Recipient(actor, client, response_url=url if isinstance(url, str) else None, thread_ts=thread or None)
        tell(services.notices, to, reply)


def _answer(services: Services, actor: Actor, thread: str, text: str, ts: str) -> Reply | None:
    """The proposal for an offer the message names, read against its deal, else coaching on its words; None
    when the LLM's answer is on its way instead."""
    threads = services.threads
    message = threads.shortcut_message(actor, thread, text, ts) if threads is not None else None
    proposal = threads.offline_proposal(message) if threads is not None and message is not None else None
    if proposal is None or message is None:
        return _coach(services, actor, thread, text)
    if services.followups is not None and services.followups.propose(message):
        return None
    return proposal_message(proposal)


def _coach(services: Services, actor: Actor, thread: str, text: str) -> Reply | None:
    """The offline advice to post now, or None when the LLM's is on its way (from the pool, with the
    offline advice behind it if the LLM fails or is slow)."""
    result = services.coaching.coach_message(actor, actor.channel_id, thread, text)
    if services.followups is not None and services.followups.post_coaching(actor, result, thread):
        return None
    return replies.deal_reply(result)
