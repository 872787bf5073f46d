"""`dealcoach console` as a person uses it: lines typed as @rita and @max, the printed output read back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_demo import Box, parse_boxes

from bot.console import HELP, run_console
from bot.transcript import as_slack_sends

SESSION = """\
/deal new acme list=100k floor=70k
/deal concede acme 10%
/deal concede acme 15%
as manager
click 1
/deal policy cap=25% alert_channel=#deal-alerts
/deal summary @rita
as rep
> they want 20% off
as manager
click 1
as rep
click 1
/deal status acme
click 1
click 5
> see you next week
quit
"""


def typed(lines: str, folder: Path) -> str:
    out = io.StringIO()
    assert run_console(io.StringIO(lines), out, folder / "console.db") == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> str:
    return typed(SESSION, tmp_path_factory.mktemp("console"))


@pytest.fixture(scope="module")
def boxes(printed: str) -> list[Box]:
    return parse_boxes(printed)


def after(boxes: list[Box], title: str) -> list[str]:
    return [box.body for box in boxes if box.title.startswith(title)]


def test_people_and_channels_show_by_the_names_the_console_introduced(printed: str, boxes: list[Box]) -> None:
    assert not [raw for raw in ("U0REP", "U0MANAGER", "C0ALERTS", "C0DEALS") if raw in printed]
    card = after(boxes, "#deals")[0]
    assert "Owner @rita" in card
    alert = after(boxes, "#deal-alerts")[0]
    assert "@rita conceded 15% off list" in alert


def test_buttons_are_numbered_and_click_presses_one_as_slack_would(printed: str, boxes: list[Box]) -> None:
    alert = after(boxes, "#deal-alerts")[0]
    assert "[1] Approve exception" in alert and "[2] Tell rep to walk away" in alert
    assert "@max (manager) presses [Approve exception]" in printed
    decided = after(boxes, "#deal-alerts (managers) (message updated)")
    assert decided and "@max approved an exception to the cap" in decided[0]
    assert any("@max approved an exception" in body for body in after(boxes, "Only @rita (rep) sees"))


def test_a_typed_mention_reaches_the_app_as_the_mention_slack_sends(boxes: list[Box]) -> None:
    manager = after(boxes, "Only @max (manager) sees")
    assert any("Policy updated: `cap` = 25%; `alert_channel` = #deal-alerts." in body for body in manager), manager
    summary = [body for body in manager if "Summary for this week" in body]
    assert summary and "@rita opened 1 deal" in summary[0]
    assert not [body for body in manager if "neither a person" in body]


def test_a_thread_message_shows_in_the_thread_and_the_coach_answers_privately(printed: str, boxes: list[Box]) -> None:
    assert "@rita: they want 20% off" in after(boxes, "#deals, in the deal's thread")
    proposal = [body for body in after(boxes, "Only @rita (rep) sees, in #deals") if "I read an ask" in body]
    assert proposal and "[1] Log as ask" in proposal[0] and "[3] Dismiss" in proposal[0]
    assert "coach issue" not in printed and "once the" not in printed


def test_a_message_that_names_no_offer_is_said_to_get_no_answer(printed: str) -> None:
    assert "@rita: see you next week" in printed
    assert "Nothing back: Deal Coach answers a message in an open deal's thread" in printed


def test_only_the_person_who_sees_a_private_message_can_press_its_buttons(printed: str, boxes: list[Box]) -> None:
    assert "Only @rita (rep) sees that message; type `as rep` to press its buttons." in printed
    logged = after(boxes, "Only @rita (rep) sees, in #deals, in place of the message pressed")
    assert logged and "Logged the customer's ask on acme" in logged[0]


def test_a_button_in_a_command_reply_can_be_pressed_too(boxes: list[Box]) -> None:
    assert ["[file: acme: price path (private: shows your floor)]"] == after(boxes, "a direct message to @rita")


def test_a_click_beyond_the_latest_buttons_says_which_there_are(printed: str) -> None:
    assert "Type click and the number of a button in the latest output (none: the latest output has no buttons)." \
        in printed


def test_the_help_tells_how_to_click_and_name_people(printed: str) -> None:
    assert printed.startswith(HELP)
    assert "click 1" in HELP and "@rita" in HELP and "#deal-alerts" in HELP


def test_deal_new_alone_shows_its_form_and_how_to_type_it_on_one_line(tmp_path: Path) -> None:
    printed = typed("/deal new\n", tmp_path)
    form = after(parse_boxes(printed), "A form opens for @rita (rep)")
    assert form and "Walk-away floor (private): ____" in form[0]
    assert "type the deal on one line" in printed


def test_typed_names_become_the_mentions_slack_sends_and_everything_else_is_escaped_as_slack_does() -> None:
    assert as_slack_sends("summary @rita") == "summary <@U0REP|rita>"
    assert as_slack_sends("policy alert_channel=#deal-alerts managers=@Max.") == \
        "policy alert_channel=<#C0ALERTS|deal-alerts> managers=<@U0MANAGER|max>."
    assert as_slack_sends("status #1 for @bob, mail rita@acme.com") == "status #1 for @bob, mail rita@acme.com"
    assert as_slack_sends("ask acme R&D <now>") == "ask acme R&amp;D &lt;now&gt;"
