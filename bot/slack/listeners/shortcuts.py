"""The message shortcut "Coach this message": coaching on a customer's words in a deal's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.render import replies
from bot.services.access import Actor
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
        if not actor.team_id or not actor.user_id:
            return
        reply = guarded(lambda: replies.deal_reply(services.deals.coach_message(actor, channel, thread, text)))
        guarded(lambda: services.notices.private(actor, reply))
