"""`/deal new` alone opens a form; its submission opens the deal (or shows errors beside the field);
the message shortcut "Coach this message" coaches the rep privately on a message in a deal's thread."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ALERTS, CHANNEL, OTHER_REP, REP, TEAM
from slack_client import shortcut_payload
from sqlalchemy import text

from bot.slack.ids import Action, Block, View

STATE_TABLES = ("workspace", "deal", "ledger_entry", "outbox")


def snapshot(container) -> dict[str, list[tuple[Any, ...]]]:
    with container.engine.connect() as connection:
        return {table: sorted((tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))), key=repr)
                for table in STATE_TABLES}


def rendered(message) -> str:
    return message.text + " " + json.dumps(message.blocks, ensure_ascii=False)


def open_form(slack, standin, *, user: str = REP, channel: str = CHANNEL) -> dict[str, Any]:
    """`/deal new` alone; returns the view the app asked Slack to open."""
    before = len(standin.calls_to("views.open"))
    answer = slack.command("new", user=user, channel=channel)
    assert answer.status == 200
    assert ":warning:" not in answer.text, answer.text
    calls = standin.calls_to("views.open")
    assert len(calls) == before + 1, "views.open should be called once"
    assert calls[-1].params.get("trigger_id"), "the form needs the command's trigger_id"
    return calls[-1].params["view"]


def form_values(name: str = "acme", list_price: str = "120k", floor: str = "90,500", target: str = "",
                cap: str = "", customer: str = "") -> dict[str, dict[str, str]]:
    values = {
        Block.NAME: {Action.NAME: name},
        Block.LIST: {Action.LIST: list_price},
        Block.FLOOR: {Action.FLOOR: floor},
        Block.TARGET: {Action.TARGET: target},
        Block.CAP: {Action.CAP: cap},
        Block.CUSTOMER: {Action.CUSTOMER: customer},
    }
    return {str(block): {str(action): value for action, value in actions.items()} for block, actions in values.items()}


def deals(container) -> list:
    with container.uow(TEAM) as uow:
        return uow.deals.list_open()


# The modal ------------------------------------------------------------------------------------------------


def test_deal_new_alone_opens_the_new_deal_modal(slack, standin, container) -> None:
    view = open_form(slack, standin)
    assert view["type"] == "modal" and view["callback_id"] == View.NEW_DEAL
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert set(blocks) == {str(b) for b in Block} - {str(Block.WORTH)}  # every field of a new deal
    for block, action in ((Block.NAME, Action.NAME), (Block.LIST, Action.LIST), (Block.FLOOR, Action.FLOOR)):
        assert blocks[block]["element"]["action_id"] == action
        assert not blocks[block].get("optional"), f"{block} is required"
    assert "floor" in blocks[Block.FLOOR]["label"]["text"].lower()
    assert deals(container) == [], "opening the form records nothing"
    assert standin.messages() == []


def test_submitting_the_modal_opens_the_deal_posts_the_card_and_tells_the_rep_privately(
    slack, standin, container
) -> None:
    view = open_form(slack, standin)
    answer = slack.view_submission(view, form_values(target="110k", customer="Acme Corp"), user=REP)
    assert answer.status == 200
    assert answer.body.get("response_action") != "errors", answer.body

    [deal] = deals(container)
    assert (deal.name, deal.owner_id, deal.channel_id) == ("acme", REP, CHANNEL)
    assert (deal.list_cents, deal.floor_cents, deal.target_cents, deal.customer) == (
        12_000_000, 9_050_000, 11_000_000, "Acme Corp")

    slack.deliver()
    cards = standin.messages(CHANNEL, include_threads=False)
    assert len(cards) == 1 and "acme" in rendered(cards[0]) and "Acme Corp" in rendered(cards[0])
    assert "90,500" not in rendered(cards[0]) and "110,000" not in rendered(cards[0])
    notices = standin.ephemerals(REP)
    assert len(notices) == 1 and notices[0].channel == CHANNEL
    notice = rendered(notices[0])
    assert "acme" in notice and "Floor $90,500" in notice and "Verdict: *OK*" in notice
    # The deal works like one opened on one line.
    assert "Logged your concession" in slack.command("concede acme 5% for a logo", user=REP).text


@pytest.mark.parametrize(("values", "field", "says"), [
    pytest.param(form_values(list_price="100k", floor="120k"), Block.FLOOR, "above list", id="floor-above-list"),
    pytest.param(form_values(floor="lots"), Block.FLOOR, "not an amount", id="unparseable-floor"),
    pytest.param(form_values(list_price="-5"), Block.LIST, "more than zero", id="negative-list"),
    pytest.param(form_values(floor="90k", target="80k"), Block.TARGET, "below the floor", id="target-below-floor"),
    pytest.param(form_values(cap="150%"), Block.CAP, "100%", id="cap-over-100"),
    pytest.param(form_values(cap="30%"), Block.CAP, "workspace cap", id="rep-cap-above-workspace"),
    pytest.param(form_values(name="two words"), Block.NAME, "one word", id="name-two-words"),
])
def test_a_bad_modal_submission_answers_errors_beside_the_field_and_records_nothing(
    slack, standin, container, values: dict, field: str, says: str
) -> None:
    view = open_form(slack, standin)
    before = snapshot(container)
    answer = slack.view_submission(view, values, user=REP)
    assert answer.status == 200
    assert answer.body.get("response_action") == "errors", answer.body
    errors = answer.body["errors"]
    assert list(errors) == [str(field)], errors
    assert says in errors[str(field)], errors
    assert snapshot(container) == before
    slack.deliver()
    assert standin.messages() == [] and standin.ephemerals() == []


def test_a_modal_with_two_currencies_answers_errors_beside_a_price_and_records_nothing(
    slack, standin, container
) -> None:
    view = open_form(slack, standin)
    before = snapshot(container)
    answer = slack.view_submission(view, form_values(list_price="$100k", floor="€80k"), user=REP)
    assert answer.body.get("response_action") == "errors", answer.body
    [(field, message)] = answer.body["errors"].items()
    assert field in (Block.LIST, Block.FLOOR) and "currency" in message
    assert snapshot(container) == before


def test_a_modal_duplicate_name_error_is_beside_the_name_even_when_the_name_contains_a_field_word(
    slack, standin, container
) -> None:
    slack.command("new floor-plan list=100k floor=80k", user=REP)
    view = open_form(slack, standin)
    before = snapshot(container)
    answer = slack.view_submission(view, form_values(name="floor-plan"), user=REP)
    assert answer.body.get("response_action") == "errors", answer.body
    assert list(answer.body["errors"]) == [str(Block.NAME)], answer.body["errors"]
    assert snapshot(container) == before


def test_the_modal_deal_is_opened_in_the_channel_the_form_came_from(slack, standin, container) -> None:
    view = open_form(slack, standin, channel="C0OTHERDEALS")
    slack.view_submission(view, form_values(), user=REP)
    [deal] = deals(container)
    assert deal.channel_id == "C0OTHERDEALS"
    slack.deliver()
    assert len(standin.messages("C0OTHERDEALS", include_threads=False)) == 1
    assert standin.messages(CHANNEL) == []


def test_a_modal_in_a_shared_channel_opens_the_deal_without_a_card(slack, standin, container) -> None:
    standin.set_channel("C0SHARED", is_ext_shared=True)
    view = open_form(slack, standin, channel="C0SHARED")
    answer = slack.view_submission(view, form_values(), user=REP)
    assert answer.body.get("response_action") != "errors", answer.body
    slack.deliver()
    assert len(deals(container)) == 1
    assert standin.messages("C0SHARED") == []
    assert any("Floor $90,500" in rendered(m) for m in standin.ephemerals(REP))


# The message shortcut -------------------------------------------------------------------------------------


@pytest.fixture
def card_ts(slack, standin, container) -> str:
    slack.command("new acme list=120k floor=90,500 customer=Acme Corp", user=REP)
    slack.command("concede acme 10% for a 2-year term", user=REP)
    slack.deliver()
    [card] = standin.messages(CHANNEL, include_threads=False)
    return card.ts


def test_coach_this_message_naming_an_offer_proposes_it_privately_like_a_thread_message(
        slack, standin, container, card_ts) -> None:
    public_before = standin.messages()
    before = snapshot(container)
    payload = shortcut_payload(standin, user=REP, channel=CHANNEL, ts="1700000099.000200", thread_ts=card_ts,
                               words="We love it, but can you do 30% off if we sign today?")
    answer = slack.interactive(payload)
    assert answer.status == 200
    slack.deliver()

    coaching = [m for m in standin.ephemerals(REP) if m.channel == CHANNEL]
    assert len(coaching) == 1, [rendered(m) for m in standin.ephemerals()]
    shown = rendered(coaching[0])
    assert "I read an ask on *acme*" in shown and "30% off list" in shown and "Recommended move" in shown
    assert "Log as ask" in shown and "offline coach" in shown
    assert [m.ephemeral_to for m in standin.ephemerals()] == [REP], "only the rep sees it"
    assert standin.messages() == public_before, "nothing posted in the open"
    assert snapshot(container)["ledger_entry"] == before["ledger_entry"], "nothing is logged until a click"


def test_coach_this_message_on_the_card_itself_coaches_the_deal(slack, standin, card_ts) -> None:
    payload = shortcut_payload(standin, user=REP, channel=CHANNEL, ts=card_ts, thread_ts=None,
                               words="Deal acme: OK")
    slack.interactive(payload)
    slack.deliver()
    assert any("Coaching for *acme*" in rendered(m) for m in standin.ephemerals(REP))


def test_coach_this_message_outside_a_deal_thread_says_so(slack, standin, container, card_ts) -> None:
    public_before = standin.messages()
    payload = shortcut_payload(standin, user=REP, channel=CHANNEL, ts="1700000123.000100", thread_ts=None,
                               words="Lunch anyone?")
    answer = slack.interactive(payload)
    assert answer.status == 200
    slack.deliver()
    told = [rendered(m) for m in standin.ephemerals(REP)]
    assert len(told) == 1 and "not in a deal's thread" in told[0], told
    assert "Recommended move" not in told[0]
    assert standin.messages() == public_before


def test_coach_this_message_in_another_channels_thread_with_the_same_ts_says_so(
    slack, standin, card_ts
) -> None:
    payload = shortcut_payload(standin, user=REP, channel="C0ELSEWHERE", ts="1700000123.000300",
                               thread_ts=card_ts, words="30% off?")
    slack.interactive(payload)
    slack.deliver()
    told = [rendered(m) for m in standin.ephemerals(REP)]
    assert len(told) == 1 and "not in a deal's thread" in told[0], told


def test_coach_this_message_by_another_rep_is_refused_privately(slack, standin, card_ts) -> None:
    payload = shortcut_payload(standin, user=OTHER_REP, channel=CHANNEL, ts="1700000124.000100",
                               thread_ts=card_ts, words="30% off?")
    slack.interactive(payload)
    slack.deliver()
    told = [rendered(m) for m in standin.ephemerals(OTHER_REP)]
    assert len(told) == 1 and "Only" in told[0], told
    assert "90,500" not in told[0] and "Recommended move" not in told[0]
    assert standin.ephemerals(REP) == []


def test_coach_this_message_from_another_workspace_finds_no_deal(slack, standin, card_ts) -> None:
    payload = shortcut_payload(standin, user=REP, channel=CHANNEL, ts="1700000125.000100",
                               thread_ts=card_ts, words="30% off?", team="T0OTHER")
    slack.interactive(payload)
    slack.deliver()
    told = [rendered(m) for m in standin.ephemerals()]
    assert all("Coaching for" not in t and "90,500" not in t for t in told), told


def test_coaching_never_goes_to_the_alert_channel(slack, standin, card_ts) -> None:
    payload = shortcut_payload(standin, user=REP, channel=CHANNEL, ts="1700000126.000100",
                               thread_ts=card_ts, words="Give us 50% off")
    slack.interactive(payload)
    slack.deliver()
    assert standin.messages(ALERTS) == []
