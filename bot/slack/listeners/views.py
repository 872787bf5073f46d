"""Modal submissions: the `/deal new` form and a give's worth, with errors shown beside the field that caused
them and the result sent to the rep privately."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands.parse import new_deal_from_fields
from bot.commands.types import DealRef, NewDeal, Worth
from bot.domain.money import parse_amount
from bot.render import replies
from bot.slack.actors import actor_from
from bot.slack.answers import Recipient, tell
from bot.slack.failures import failure_sentence
from bot.slack.forms import flatten_state
from bot.slack.ids import Block, View
from bot.slack.metadata import NewDealForm, WorthForm
from bot.slack.router import Services

NO_SENDER = "This form did not say who sent it, so nothing was done. Please open it again."
# The form field an error belongs beside; errors naming no field go beside the name.
_BLOCK_OF_FIELD = {"name": Block.NAME, "list": Block.LIST, "floor": Block.FLOOR, "target": Block.TARGET,
                   "cap": Block.CAP, "term": Block.TERM, "customer": Block.CUSTOMER}


def register(app: App, services: Services) -> None:
    _register_worth(app, services)

    @app.view(View.NEW_DEAL)
    def new_deal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Any failure keeps the form open with its sentence beside a field (nothing was recorded, so the rep
        can submit again); once the deal is open the form closes and the rep is told privately."""
        view, sender = body.get("view") or {}, actor_from(body)
        if sender is None:
            ack(response_action="errors", errors={Block.NAME: NO_SENDER})
            return
        try:
            actor = replace(sender, channel_id=NewDealForm.load(view.get("private_metadata")).channel_id)
            result = services.deals.open(actor, _command_from(flatten_state(view)))
        except Exception as exc:
            ack(response_action="errors", errors={_block_for(exc): failure_sentence(exc)})
            return
        ack()
        tell(services.notices, Recipient(actor, client), replies.deal_reply(result))


def _register_worth(app: App, services: Services) -> None:
    @app.view(View.GIVE_WORTH)
    def give_worth(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The rep's worth for a give: saved, and the deal's reply sent to them privately (to their direct
        messages when the form did not say where it was opened)."""
        view, sender = body.get("view") or {}, actor_from(body)
        if sender is None:
            ack(response_action="errors", errors={Block.WORTH: NO_SENDER})
            return
        try:
            form = WorthForm.load(view.get("private_metadata"))
            amount = parse_amount(flatten_state(view).get(Block.WORTH, ""), what="the worth")
            actor = replace(sender, channel_id=form.channel_id)  # a form's channel is the one it was opened from
            result = services.deals.worth(actor, Worth(DealRef(id=form.deal_id), amount, form.number))
        except Exception as exc:
            ack(response_action="errors", errors={Block.WORTH: failure_sentence(exc)})
            return
        ack()
        tell(services.notices, Recipient(actor, client), replies.deal_reply(result))


def _command_from(values: dict[str, str]) -> NewDeal:
    """The form's fields go through the same checks as the one-line command, field by field."""
    return new_deal_from_fields(
        name=values.get(Block.NAME, ""),
        list=values.get(Block.LIST, ""),
        floor=values.get(Block.FLOOR, ""),
        target=values.get(Block.TARGET, ""),
        cap=values.get(Block.CAP, ""),
        term=values.get(Block.TERM, ""),
        customer=values.get(Block.CUSTOMER, ""),
    )


def _block_for(error: Exception) -> str:
    return _BLOCK_OF_FIELD.get(getattr(error, "field", None) or "", Block.NAME)
