"""The message shortcut "Coach this message": a message in a deal's thread read like a rep's thread message
(an offer it names is proposed for the ledger, with buttons), else coaching on its words."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.render import replies
from bot.render.blocks import Reply
from bot.render.proposals import proposal_message
from bot.services.access import Actor
from bot.services.threads import message_ts
from bot.slack.ids import Shortcut
from bot.slack.router import Services, guarded


def register(app: App, services: Services) -> None:
    @app.shortcut(Shortcut.COACH_MESSAGE)
    def coach_message(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or ""
        actor = Actor(team_id=str((body.get("team") or {}).get("id") or ""),
                      user_id=str((body.get("user") or {}).get("id") or ""), channel_id=str(channel))
        thread = str(message.get("thread_ts") or message.get("ts") or "")
        text = str(message.get("text") or "")[:4000]
        ts = message_ts(message.get("ts"))
        if not actor.team_id or not actor.user_id:
            return
        reply = guarded(lambda: _answer(services, actor, thread, text, ts))
        if reply is not None:
            guarded(lambda: services.notices.private(actor, reply, thread_ts=thread))


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
