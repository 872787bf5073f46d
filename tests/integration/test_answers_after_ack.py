"""Every answer owed after an acknowledgement reaches the person waiting, in words: a refusal, a "try again",
a result. The outbox carries it; when the outbox cannot, it goes straight to Slack, never dropped."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import ALERTS, CHANNEL, OTHER_REP, REP, TEAM
from slack_client import shortcut_payload, slack_payload
from sqlalchemy.exc import OperationalError

from bot.render.words import TRY_AGAIN
from bot.slack.ids import Action, Block, View
from bot.slack.metadata import WorthForm

DEAD_RESPONSE_URL = "http://127.0.0.1:1/respond/gone"  # nothing listens on port 1: the post is refused


def database_away(*args: Any, **kwargs: Any) -> None:
    raise OperationalError("INSERT INTO outbox …", {}, ConnectionError("server closed the connection"))


def take_the_outbox_away(container, monkeypatch) -> None:  # noqa: ANN001
    """The outbox cannot be written (the database went away after the change, or before the answer)."""
    monkeypatch.setattr(container.services.notices, "private", database_away)
    monkeypatch.setattr(container.services.notices, "respond", database_away)


@pytest.fixture
def outbox_away(container, monkeypatch) -> None:  # noqa: ANN001
    take_the_outbox_away(container, monkeypatch)


def said_to(standin, user: str) -> str:  # noqa: ANN001
    """Everything `user` was told privately: ephemerals and what went to response URLs."""
    return json.dumps([(m.text, m.blocks) for m in standin.ephemerals(user)] + standin.responses(),
                      ensure_ascii=False)


def status_reply(slack):  # noqa: ANN001, ANN201
    slack.command("new acme list=100k floor=60k", user=REP)
    return slack.command("status acme", user=REP)


# Buttons ---------------------------------------------------------------------------------------------------


def test_a_chart_refusal_reaches_the_clicker_when_the_outbox_cannot_take_it(slack, standin, outbox_away) -> None:
    status = status_reply(slack)
    assert slack.press(status.body["blocks"], Action.PRICE_CHART, user=OTHER_REP, channel=CHANNEL).status == 200
    [refusal] = standin.ephemerals(OTHER_REP)
    assert refusal.channel == CHANNEL and "Only" in refusal.text


def test_a_chart_click_while_the_database_is_away_tells_the_clicker_to_try_again(
        slack, standin, container, outbox_away, monkeypatch) -> None:
    status = status_reply(slack)
    monkeypatch.setattr(container.services.deals, "send_chart", database_away)
    slack.press(status.body["blocks"], Action.PRICE_CHART, user=REP, channel=CHANNEL,
                response_url=standin.response_url("chart"))
    assert TRY_AGAIN in said_to(standin, REP)


def test_a_refused_decision_reaches_the_clicker_when_the_outbox_cannot_take_it(slack, standin, outbox_away) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.deliver()
    [alert] = standin.messages(ALERTS)
    message = {"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks}
    slack.press(alert.blocks, Action.APPROVE_EXCEPTION, user=OTHER_REP, channel=ALERTS, message=message,
                response_url=standin.response_url("decision"))
    assert "manager" in said_to(standin, OTHER_REP).lower()


def proposal(slack, standin):  # noqa: ANN001, ANN201
    """A rep's thread message naming an ask, and the private proposal it was answered with."""
    slack.command("new acme list=100k floor=80k", user=REP)
    slack.deliver()
    thread = standin.messages(CHANNEL, include_threads=False)[0].ts
    body = copy.deepcopy(slack_payload("test_message__message_body"))
    body.update(team_id=TEAM, event_id="Ev1")
    body.pop("enterprise_id", None)
    body["event"].update(text="they want another 15% off before signing", user=REP, channel=CHANNEL,
                         ts=f"{float(thread) + 1:.6f}", thread_ts=thread, team=TEAM)
    slack.event(body)
    slack.deliver()
    [shown] = [m for m in standin.ephemerals(REP) if any(b.get("type") == "actions" for b in m.blocks)]
    return shown


def test_a_logged_proposal_reaches_the_rep_when_the_outbox_and_the_response_url_both_fail(
        slack, standin, container, monkeypatch) -> None:
    shown = proposal(slack, standin)
    take_the_outbox_away(container, monkeypatch)
    slack.press(shown.blocks, Action.LOG_ASK, user=REP, channel=CHANNEL, response_url=DEAD_RESPONSE_URL)
    [logged] = [m for m in standin.ephemerals(REP) if m.ts != shown.ts]
    assert logged.channel == CHANNEL and "Logged the customer's ask" in json.dumps(logged.blocks)


def test_a_dismissed_proposal_is_deleted_through_its_response_url_when_the_outbox_is_away(
        slack, standin, container, monkeypatch) -> None:
    shown = proposal(slack, standin)
    take_the_outbox_away(container, monkeypatch)
    slack.press(shown.blocks, Action.DISMISS, user=REP, channel=CHANNEL, response_url=standin.response_url("dismiss"))
    assert standin.responses("dismiss") == [{"delete_original": True}]


def test_a_worth_form_slack_will_not_open_is_explained_with_the_command_that_does_the_same(slack, standin) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("concede acme free onboarding", user=REP)
    standin.fail_next("views.open", status=200, error="expired_trigger_id")
    slack.press(answer.body["blocks"], Action.SET_WORTH, user=REP, channel=CHANNEL)
    told = said_to(standin, REP)
    assert "Slack would not open the form" in told and "/deal worth" in told


# The message shortcut --------------------------------------------------------------------------------------


def test_coach_this_message_reaches_the_rep_in_its_thread_when_the_outbox_is_away(
        slack, standin, outbox_away) -> None:
    slack.command("new acme list=120k floor=90k", user=REP)
    slack.deliver()
    card = standin.messages(CHANNEL, include_threads=False)[0].ts
    payload = shortcut_payload(standin, user=REP, channel=CHANNEL, ts="1700000099.000200", thread_ts=card,
                               words="They say the budget is tight this quarter.", team=TEAM)
    assert slack.interactive(payload).status == 200
    [coaching] = standin.ephemerals(REP)
    assert coaching.channel == CHANNEL and coaching.thread_ts == card and "acme" in json.dumps(coaching.blocks)


# Forms -----------------------------------------------------------------------------------------------------


def new_deal_form(slack, standin) -> dict[str, Any]:  # noqa: ANN001
    slack.command("new", user=REP)
    return standin.calls_to("views.open")[-1].params["view"]


NEW_DEAL_VALUES = {str(Block.NAME): {str(Action.NAME): "acme"}, str(Block.LIST): {str(Action.LIST): "120k"},
                   str(Block.FLOOR): {str(Action.FLOOR): "90,500"}}


def test_a_new_deals_confirmation_reaches_the_rep_when_the_outbox_is_away(
        slack, standin, container, outbox_away) -> None:
    answer = slack.view_submission(new_deal_form(slack, standin), NEW_DEAL_VALUES, user=REP)
    assert answer.body.get("response_action") != "errors", answer.body
    with container.uow(TEAM) as uow:
        assert [deal.name for deal in uow.deals.list_open()] == ["acme"]
    [confirmation] = standin.ephemerals(REP)
    assert confirmation.channel == CHANNEL and "Floor $90,500" in json.dumps(confirmation.blocks)


def test_an_unexpected_failure_in_a_form_is_shown_beside_a_field_with_a_reference_to_quote(
        slack, standin, container, monkeypatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(container.services.deals, "open", broken)
    answer = slack.view_submission(new_deal_form(slack, standin), NEW_DEAL_VALUES, user=REP)
    assert answer.body.get("response_action") == "errors"
    assert "Something went wrong" in answer.body["errors"][str(Block.NAME)]
    assert "quote `" in answer.body["errors"][str(Block.NAME)]


def test_a_worth_form_that_names_no_channel_answers_in_the_reps_direct_messages(slack, standin) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("concede acme free onboarding", user=REP)
    slack.press(answer.body["blocks"], Action.SET_WORTH, user=REP, channel=CHANNEL)
    view = dict(standin.calls_to("views.open")[-1].params["view"])
    assert view["callback_id"] == View.GIVE_WORTH
    form = WorthForm.load(view["private_metadata"])
    view["private_metadata"] = form.model_copy(update={"channel_id": ""}).dump()
    saved = slack.view_submission(view, {str(Block.WORTH): {str(Action.WORTH): "5k"}}, user=REP)
    assert saved.body.get("response_action") != "errors", saved.body
    [direct] = [m for m in standin.messages() if m.channel == "D" + REP[1:]]
    assert "free onboarding" in json.dumps(direct.blocks) or "acme" in direct.text
