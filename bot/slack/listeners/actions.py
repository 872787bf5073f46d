"""Buttons: a manager's decision on an alert, the price chart, a give's worth, a proposal's log or dismissal.
Acknowledged at once; every answer and refusal then reaches the clicker privately."""

from __future__ import annotations

import html
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands.types import Ask, Concede, DealRef
from bot.domain.concession_text import MAX_TEXT_CHARS
from bot.domain.errors import InputError
from bot.domain.model import Decision
from bot.render import replies
from bot.render.blocks import Reply
from bot.render.confirm import confirm_reply
from bot.render.modals import worth_modal
from bot.services.access import Actor
from bot.services.decisions import AlertClick
from bot.services.results import ToConfirm
from bot.slack.actors import actor_from
from bot.slack.answers import Recipient, tell
from bot.slack.failures import guarded
from bot.slack.forms import OpenForm
from bot.slack.ids import Action
from bot.slack.metadata import AlertRef, DealRefValue, ProposalValue, WorthForm
from bot.slack.router import Services
from bot.slack.setup import save_setup


def register(app: App, services: Services) -> None:
    @app.action(Action.APPROVE_EXCEPTION)
    def approve_exception(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _decide(services, body, client, Decision.APPROVE)

    @app.action(Action.TELL_WALK_AWAY)
    def tell_walk_away(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _decide(services, body, client, Decision.WALK_AWAY)

    _register_proposals(app, services)

    @app.action(Action.SAVE_SETUP)
    def save_home_setup(ack: Ack, body: dict[str, Any]) -> None:
        """The App Home's setup, saved by a manager; the Home is published again saying how it went."""
        ack()
        save_setup(services, body)

    @app.action(Action.SET_WORTH)
    def set_worth(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Opens the form that asks what a give of unknown or estimated worth is worth."""
        ack()
        to = _recipient(body, client)
        if to is None:
            return

        def open_form() -> Reply | None:
            form = WorthForm.load(_clicked(body).get("value"))
            metadata = form.model_copy(update={"channel_id": to.actor.channel_id[:24]}).dump()
            return OpenForm(worth_modal(metadata, form.item), str(body.get("trigger_id") or ""),
                            instead="say it with `/deal worth <deal> <amount>`").open_with(client)

        tell(services.notices, to, guarded(open_form))

    @app.action(Action.PRICE_CHART)
    def price_chart(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """From the status reply: the chart shows the floor, so it goes to the clicker's direct messages."""
        ack()
        to = _recipient(body, client)
        if to is None:
            return

        def send_chart() -> None:
            services.deals.send_chart(to.actor, DealRefValue.load(_clicked(body).get("value")).deal_id)

        tell(services.notices, to, guarded(send_chart))


def _register_proposals(app: App, services: Services) -> None:
    @app.action(Action.LOG_ASK)
    def log_ask(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _log(services, body, client, as_concession=False)

    @app.action(Action.LOG_CONCESSION)
    def log_concession(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _log(services, body, client, as_concession=True)

    @app.action(Action.DISMISS)
    def dismiss(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        to = _recipient(body, client)
        if to is not None and to.response_url:
            tell(services.notices, to, None, replace=True)


def _log(services: Services, body: dict[str, Any], client: WebClient, *, as_concession: bool) -> None:
    """The click that records what the thread message proposed; the proposal is replaced by the result."""
    to = _recipient(body, client)
    if to is None:
        return

    def record() -> Reply:
        value = ProposalValue.load(_clicked(body).get("value"))
        ref = DealRef(id=value.deal_id)
        # Either button logs the message once, however often and on whichever replica it is clicked.
        once = f"proposal:{value.deal_id}:{value.message}" if value.message else None
        if as_concession:
            result = services.deals.concede(to.actor, Concede(ref, value.concession), once=once)
            return confirm_reply(result) if isinstance(result, ToConfirm) else replies.deal_reply(result)
        return replies.deal_reply(services.deals.ask(to.actor, Ask(ref, ask_words(value.text)), once=once))

    tell(services.notices, to, guarded(record), replace=True)


def ask_words(message: str) -> str:
    """A thread message as the ask it is logged as: unescaped as a typed `/deal ask` is (Slack sends `&amp;`
    for `&`), and clipped to what a typed ask may hold."""
    words = html.unescape(message).strip()
    if not words:
        raise InputError("That message has no words to log as an ask.")
    return words if len(words) <= MAX_TEXT_CHARS else words[: MAX_TEXT_CHARS - 1] + "…"


def _decide(services: Services, body: dict[str, Any], client: WebClient, decision: Decision) -> None:
    """A manager's answer to an alert; the alert itself changes from the outbox, so only a refusal is told here."""
    to = _recipient(body, client)
    if to is None:
        return
    actor: Actor = to.actor
    message = body.get("message") or {}

    def decide() -> None:
        ref = AlertRef.load(_clicked(body).get("value"))
        ts = message.get("ts") or (body.get("container") or {}).get("message_ts") or ""
        click = AlertClick(ref.deal_id, ref.seq, actor.channel_id, str(ts), list(message.get("blocks") or []))
        services.decisions.decide(actor, click, decision)

    tell(services.notices, to, guarded(decide))


def _recipient(body: dict[str, Any], client: WebClient) -> Recipient | None:
    actor = actor_from(body)
    url = body.get("response_url")
    return Recipient(actor, client, response_url=url if isinstance(url, str) else None) if actor else None


def _clicked(body: dict[str, Any]) -> dict[str, Any]:
    clicked: dict[str, Any] = (body.get("actions") or [{}])[0]
    return clicked
