"""`/deal`: answered inside the request, in the acknowledgement itself, after the change is committed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import replies, words
from bot.render.blocks import Reply
from bot.render.modals import new_deal_modal
from bot.services.access import Actor
from bot.slack.ids import Command
from bot.slack.metadata import NewDealForm
from bot.slack.router import CommandRouter, guarded


def register(app: App, router: CommandRouter) -> None:
    @app.command(Command.DEAL)
    def deal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        actor = actor_of(body)
        text = str(body.get("text") or "")
        if actor is None:
            reply = replies.error_reply("This request did not say who sent it, so nothing was done.")
        elif _is_modal_request(text):
            reply = guarded(lambda: _open_modal(client, body, actor))
        else:
            reply = router.handle(actor, text, {"response_url": body.get("response_url")})
        if reply is None:
            ack()
        else:
            ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)


def actor_of(body: dict[str, Any]) -> Actor | None:
    team, user = body.get("team_id"), body.get("user_id")
    if not isinstance(team, str) or not isinstance(user, str) or not team or not user:
        return None
    channel = body.get("channel_id")
    return Actor(team_id=team, user_id=user, channel_id=channel if isinstance(channel, str) else "")


def _is_modal_request(text: str) -> bool:
    parts = text.strip().split()
    return len(parts) == 1 and parts[0].lower() == "new"


def _open_modal(client: WebClient, body: dict[str, Any], actor: Actor) -> Reply | None:
    """`/deal new` alone: the form opens; the acknowledgement stays empty unless Slack refuses it."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str):
        return replies.error_reply("Slack sent no trigger for the form; type the deal on one line.",
                                   "/deal new <name> list=<amount> floor=<amount>")
    try:
        client.views_open(trigger_id=trigger, view=new_deal_modal(NewDealForm(channel_id=actor.channel_id).dump()))
    except SlackApiError as exc:
        why = words.slack_error(str(exc.response.get("error")))
        return replies.error_reply(f"Slack would not open the form ({why}); type the deal on one line.",
                                   "/deal new <name> list=<amount> floor=<amount>")
    return None

