"""Buttons: a manager's decision on an alert, the price chart. Acknowledged at once; refusals reach the
clicker privately."""

from __future__ import annotations

import html
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.commands.types import Ask, Concede, DealRef
from bot.domain.concession_text import MAX_TEXT_CHARS
from bot.domain.errors import InputError
from bot.domain.model import Decision
from bot.render import replies, words
from bot.render.blocks import Reply
from bot.render.confirm import confirm_reply
from bot.render.modals import worth_modal
from bot.services.access import Actor
from bot.services.decisions import AlertClick
from bot.services.results import ToConfirm
from bot.slack.ids import Action
from bot.slack.metadata import AlertRef, DealRefValue, ProposalValue, WorthForm
from bot.slack.router import Services, guarded

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 5


def register(app: App, services: Services) -> None:
    @app.action(Action.APPROVE_EXCEPTION)
    def approve_exception(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _decide(services, body, Decision.APPROVE)

    @app.action(Action.TELL_WALK_AWAY)
    def tell_walk_away(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _decide(services, body, Decision.WALK_AWAY)

    _register_proposals(app, services)

    @app.action(Action.SET_WORTH)
    def set_worth(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Opens the form that asks what a give of unknown or estimated worth is worth."""
        ack()
        actor = _actor(body)
        if actor is None:
            return
        clicked = (body.get("actions") or [{}])[0]

        def open_form() -> None:
            form = WorthForm.load(clicked.get("value"))
            metadata = form.model_copy(update={"channel_id": actor.channel_id[:24]}).dump()
            try:
                client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=worth_modal(metadata, form.item))
            except SlackApiError as exc:
                why = words.slack_error(str(exc.response.get("error")))
                raise InputError(f"Slack would not open the form ({why}); say it with "
                                 "`/deal worth <deal> <amount>`.") from None

        refusal = guarded(open_form)
        if refusal is not None:
            guarded(lambda: services.notices.private(actor, refusal))

    @app.action(Action.PRICE_CHART)
    def price_chart(ack: Ack, body: dict[str, Any]) -> None:
        """From the status reply: the chart shows the floor, so it goes to the clicker's direct messages."""
        ack()
        actor = _actor(body)
        if actor is None:
            return
        clicked = (body.get("actions") or [{}])[0]
        refusal = guarded(lambda: services.deals.send_chart(actor, DealRefValue.load(clicked.get("value")).deal_id))
        if refusal is not None:
            guarded(lambda: services.notices.private(actor, refusal))


def _register_proposals(app: App, services: Services) -> None:
    @app.action(Action.LOG_ASK)
    def log_ask(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _log(services, body, as_concession=False)

    @app.action(Action.LOG_CONCESSION)
    def log_concession(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _log(services, body, as_concession=True)

    @app.action(Action.DISMISS)
    def dismiss(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        actor, url = _actor(body), body.get("response_url")
        if actor is not None and isinstance(url, str):
            guarded(lambda: services.notices.respond(actor, url, None))


def _log(services: Services, body: dict[str, Any], *, as_concession: bool) -> None:
    """The click that records what the thread message proposed; the proposal is replaced by the result."""
    actor, url = _actor(body), body.get("response_url")
    if actor is None:
        return
    clicked = (body.get("actions") or [{}])[0]

    def record() -> Reply:
        value = ProposalValue.load(clicked.get("value"))
        ref = DealRef(id=value.deal_id)
        # Either button logs the message once, however often and on whichever replica it is clicked.
        once = f"proposal:{value.deal_id}:{value.message}" if value.message else None
        if as_concession:
            result = services.deals.concede(actor, Concede(ref, value.concession), once=once)
            return confirm_reply(result) if isinstance(result, ToConfirm) else replies.deal_reply(result)
        return replies.deal_reply(services.deals.ask(actor, Ask(ref, ask_words(value.text)), once=once))

    reply = guarded(record)
    if reply is not None:
        _tell(services, actor, url, reply, replace=True)


def ask_words(message: str) -> str:
    """A thread message as the ask it is logged as: unescaped as a typed `/deal ask` is (Slack sends `&amp;`
    for `&`), and clipped to what a typed ask may hold."""
    words = html.unescape(message).strip()
    if not words:
        raise InputError("That message has no words to log as an ask.")
    return words if len(words) <= MAX_TEXT_CHARS else words[: MAX_TEXT_CHARS - 1] + "…"


def _actor(body: dict[str, Any]) -> Actor | None:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
    if not isinstance(team, str) or not isinstance(user.get("id"), str):
        return None
    return Actor(team_id=team, user_id=user["id"], channel_id=str(channel))


def _decide(services: Services, body: dict[str, Any], decision: Decision) -> None:
    actor = _actor(body)
    if actor is None:
        return
    message = body.get("message") or {}
    clicked = (body.get("actions") or [{}])[0]

    def decide() -> None:
        ref = AlertRef.load(clicked.get("value"))
        ts = message.get("ts") or (body.get("container") or {}).get("message_ts") or ""
        click = AlertClick(ref.deal_id, ref.seq, actor.channel_id, str(ts),
                           list(message.get("blocks") or []))
        services.decisions.decide(actor, click, decision)

    refusal = guarded(decide)
    if refusal is not None:
        _tell(services, actor, body.get("response_url"), refusal, replace=False)


def _tell(services: Services, actor: Actor, url: object, reply: Reply, *, replace: bool) -> None:
    """The clicker's answer goes through the outbox (it outlives Slack's rate limits and restarts); when the
    outbox cannot be written (the database is away), straight to the click's response URL, so a "try again"
    is never lost with the database it is about."""
    try:
        if isinstance(url, str) and replace:
            services.notices.respond(actor, url, reply)
        else:
            services.notices.private(actor, reply)
    except (OperationalError, DBAPIError) as exc:
        log.warning("database unavailable; answering the click through its response URL (%s)", type(exc).__name__)
        if isinstance(url, str):
            guarded(lambda: WebhookClient(url, timeout=WEBHOOK_TIMEOUT_SECONDS).send(
                text=reply.text, blocks=reply.blocks, response_type="ephemeral", replace_original=False))
