"""Modal submissions: the `/deal new` form, with errors shown beside the field that caused them."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.commands.parse import parse_command
from bot.commands.types import NewDeal
from bot.domain.errors import DealCoachError
from bot.render import replies
from bot.services.access import Actor
from bot.slack.forms import flatten_state
from bot.slack.ids import Block, View
from bot.slack.metadata import NewDealForm
from bot.slack.router import Services, guarded

# Which field an error about a word belongs beside; the name is the fallback.
_FIELD_OF_WORD = (("floor", Block.FLOOR), ("target", Block.TARGET), ("cap", Block.CAP), ("list", Block.LIST),
                  ("customer", Block.CUSTOMER), ("currenc", Block.LIST))


def register(app: App, services: Services) -> None:
    @app.view(View.NEW_DEAL)
    def new_deal(ack: Ack, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        user = (body.get("user") or {}).get("id")
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        try:
            form = NewDealForm.load(view.get("private_metadata"))
            command = _command_from(flatten_state(view))
        except DealCoachError as exc:
            ack(response_action="errors", errors={_field_for(exc.message): exc.message})
            return
        actor = Actor(team_id=str(team or ""), user_id=str(user or ""), channel_id=form.channel_id)
        try:
            result = services.deals.open(actor, command)
        except DealCoachError as exc:
            ack(response_action="errors", errors={_field_for(exc.message): exc.message})
            return
        ack()
        reply = replies.deal_reply(result)
        guarded(lambda: services.notices.private(actor, reply))


def _command_from(values: dict[str, str]) -> NewDeal:
    """Reuses the command language, so the form and the one-line command check exactly the same things."""
    parts = [f"new {values.get(Block.NAME, '')}"]
    for key, block in (("list", Block.LIST), ("floor", Block.FLOOR), ("target", Block.TARGET), ("cap", Block.CAP)):
        if values.get(block):
            parts.append(f"{key}={values[block].replace(' ', '')}")
    if values.get(Block.CUSTOMER):
        parts.append(f'customer="{values[Block.CUSTOMER].replace(chr(34), "")}"')
    command = parse_command(" ".join(parts))
    if not isinstance(command, NewDeal):
        raise DealCoachError("Give the deal a name, a list price and a floor.")
    return command


def _field_for(message: str) -> str:
    lowered = message.lower()
    for word, block in _FIELD_OF_WORD:
        if word in lowered:
            return block
    return Block.NAME
