"""Modal submissions: the `/deal new` form, with errors shown beside the field that caused them."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.commands.parse import new_deal_from_fields
from bot.commands.types import DealRef, NewDeal, Worth
from bot.domain.errors import DealCoachError
from bot.domain.money import parse_amount
from bot.render import replies, words
from bot.services.access import Actor
from bot.slack.forms import flatten_state
from bot.slack.ids import Block, View
from bot.slack.metadata import NewDealForm, WorthForm
from bot.slack.router import Services, guarded

log = logging.getLogger(__name__)
NO_SENDER = "This form did not say who sent it, so nothing was done. Please open it again."
# The form field an error belongs beside; errors naming no field go beside the name.
_BLOCK_OF_FIELD = {"name": Block.NAME, "list": Block.LIST, "floor": Block.FLOOR, "target": Block.TARGET,
                   "cap": Block.CAP, "term": Block.TERM, "customer": Block.CUSTOMER}


def register(app: App, services: Services) -> None:
    _register_worth(app, services)

    @app.view(View.NEW_DEAL)
    def new_deal(ack: Ack, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        user = (body.get("user") or {}).get("id")
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        if not team or not user:
            ack(response_action="errors", errors={Block.NAME: NO_SENDER})
            return
        try:
            form = NewDealForm.load(view.get("private_metadata"))
            command = _command_from(flatten_state(view))
        except DealCoachError as exc:
            ack(response_action="errors", errors={_block_for(exc): exc.message})
            return
        actor = Actor(team_id=str(team), user_id=str(user), channel_id=form.channel_id)
        try:
            result = services.deals.open(actor, command)
        except DealCoachError as exc:
            ack(response_action="errors", errors={_block_for(exc): exc.message})
            return
        except (OperationalError, DBAPIError) as exc:  # nothing was recorded: the form stays open to resubmit
            log.warning("database unavailable for a new-deal form: %s", type(exc).__name__)
            ack(response_action="errors", errors={Block.NAME: words.TRY_AGAIN})
            return
        ack()
        reply = replies.deal_reply(result)
        guarded(lambda: services.notices.private(actor, reply))


def _register_worth(app: App, services: Services) -> None:
    @app.view(View.GIVE_WORTH)
    def give_worth(ack: Ack, body: dict[str, Any]) -> None:
        """The rep's worth for a give: saved, and the deal's reply sent to them privately."""
        view = body.get("view") or {}
        user = (body.get("user") or {}).get("id")
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        if not team or not user:
            ack(response_action="errors", errors={Block.WORTH: NO_SENDER})
            return
        try:
            form = WorthForm.load(view.get("private_metadata"))
            amount = parse_amount(flatten_state(view).get(Block.WORTH, ""), what="the worth")
            actor = Actor(team_id=str(team), user_id=str(user), channel_id=form.channel_id)
            result = services.deals.worth(actor, Worth(DealRef(id=form.deal_id), amount, form.number))
        except DealCoachError as exc:
            ack(response_action="errors", errors={Block.WORTH: exc.message})
            return
        except (OperationalError, DBAPIError) as exc:
            log.warning("database unavailable for a worth form: %s", type(exc).__name__)
            ack(response_action="errors", errors={Block.WORTH: words.TRY_AGAIN})
            return
        ack()
        reply = replies.deal_reply(result)
        if form.channel_id:
            guarded(lambda: services.notices.private(actor, reply))


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


def _block_for(error: DealCoachError) -> str:
    return _BLOCK_OF_FIELD.get(error.field or "", Block.NAME)
