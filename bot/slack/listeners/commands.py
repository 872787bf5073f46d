"""`/deal`: answered inside the request, in the acknowledgement itself, after the change is committed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.render import replies
from bot.slack.actors import actor_from
from bot.slack.failures import guarded
from bot.slack.forms import OpenForm
from bot.slack.ids import Command
from bot.slack.router import Answer, CommandRouter

NO_SENDER = "This request did not say who sent it, so nothing was done."


def register(app: App, router: CommandRouter) -> None:
    @app.command(Command.DEAL)
    def deal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The router decides every answer; a form it asks for is opened here, with the request's client."""
        actor = actor_from(body)
        answer: Answer
        if actor is None:
            answer = replies.error_reply(NO_SENDER)
        else:
            context = {"response_url": body.get("response_url"), "trigger_id": body.get("trigger_id")}
            answer = router.handle(actor, str(body.get("text") or ""), context)
        reply = guarded(lambda: answer.open_with(client)) if isinstance(answer, OpenForm) else answer
        if reply is None:
            ack()
        else:
            ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
