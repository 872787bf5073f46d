"""Bad input over real HTTP: always a 200, an ephemeral reply that says what was wrong with a usage line,
and nothing recorded (no deal, no ledger entry, no outbox row, no row changed, nothing posted to Slack)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CHANNEL, MANAGER, REP
from sqlalchemy import text

# Tables whose rows must be exactly as they were after a refused command.
STATE_TABLES = ("workspace", "deal", "ledger_entry", "outbox", "channel")
LONG = 5000  # "several thousand characters"


def row_counts(container) -> dict[str, int]:
    with container.engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("deal", "ledger_entry", "outbox")}


def snapshot(container) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every state table, so a refused command that touched anything shows up."""
    with container.engine.connect() as connection:
        return {table: sorted((tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))), key=repr)
                for table in STATE_TABLES}


def slack_writes(standin) -> int:
    return sum(len(standin.calls_to(m)) for m in ("chat.postMessage", "chat.postEphemeral", "chat.update"))


@pytest.fixture
def acme(slack, container):
    """An open USD deal with one reciprocated concession, its card and notes already delivered."""
    opened = slack.command("new acme list=100k floor=80k customer=Acme Corp", user=REP)
    assert "Verdict" in opened.text, opened.text
    conceded = slack.command("concede acme 5% for a case study", user=REP)
    assert "*OK*" in conceded.text or "PUSH BACK" in conceded.text, conceded.text
    slack.deliver()
    with container.uow("T0TEST") as uow:
        deal = uow.deals.get(name="acme")
    return deal


BAD_INPUT = [
    # (case id, command text, what the reply must say was wrong)
    ("unknown-deal-by-name", "concede nosuch 5%", "No deal `nosuch`"),
    ("unknown-deal-status", "status nosuch", "No deal `nosuch`"),
    ("unknown-deal-by-id", "undo #999999", "No deal #999999"),
    ("duplicate-name", "new acme list=90k floor=70k", "already open"),
    ("duplicate-name-other-case", "new ACME list=90k floor=70k", "already open"),
    ("missing-floor", "new beta list=100k", "`floor=` is required"),
    ("missing-floor-with-target", "new beta list=100k target=90k customer=Beta", "`floor=` is required"),
    ("floor-above-list", "new beta list=100k floor=120k", "above list"),
    ("target-below-floor", "new beta list=100k floor=80k target=70k", "target is below the floor"),
    ("negative-list", "new beta list=-100k floor=80k", "more than zero"),
    ("negative-cut", "concede acme cut -5k", "more than zero"),
    ("negative-percent", "concede acme -5%", "more than 0%"),
    ("negative-worth", "concede acme free onboarding worth -2k", "more than zero"),
    ("negative-hours", "hours acme -3", "Hours must be more than 0"),
    ("zero-list", "new beta list=0 floor=0", "more than zero"),
    ("zero-cut", "concede acme cut 0", "more than zero"),
    ("zero-percent", "concede acme 0%", "more than 0%"),
    ("zero-price", "concede acme price 0", "more than zero"),
    ("zero-get-worth", "get acme a logo worth 0", "more than zero"),
    ("absurd-list", "new beta list=1000000000001 floor=1k", "over a trillion"),
    ("absurd-list-with-suffix", "new beta list=2000b floor=1k", "over a trillion"),
    ("absurd-cut", "concede acme cut 5000000000000", "over a trillion"),
    ("percent-over-100", "concede acme 150%", "over 100%"),
    ("cap-over-100", "new beta list=100k floor=80k cap=101%", "over 100%"),
    ("unparseable-cut", "concede acme cut lots", "not an amount"),
    ("unparseable-list", "new beta list=abc floor=80k", "not an amount"),
    ("unparseable-list-letter-o", "new beta list=12O,000 floor=80k", "not an amount"),
    ("unparseable-percent", "concede acme 1.2.3%", "not a percentage"),
    ("unparseable-won-price", "won acme lots", "not an amount"),
    ("unparseable-hours", "hours acme lots", "not a number of hours"),
    ("unknown-subcommand", "frobnicate acme", "is not a /deal command"),
    ("unknown-concession", "concede acme a hug", "could not find a concession in `a hug`"),
    ("long-ask", "ask acme " + "x" * LONG, "characters"),
    ("long-new", "new beta list=100k floor=80k customer=" + "y" * LONG, "characters"),
    ("long-free-item", "concede acme free " + "z" * 2500, "characters"),
    ("long-name", "new " + "n" * 41 + " list=100k floor=80k", "is not a deal name"),
    ("other-currency-cut", "concede acme cut €5k", "This deal is in USD"),
    ("other-currency-worth", "concede acme free onboarding worth £2k", "This deal is in USD"),
    ("other-currency-get", "get acme a logo worth €1k", "This deal is in USD"),
    ("other-currency-price", "concede acme price EUR 90k", "This deal is in USD"),
    ("other-currency-won", "won acme €90k", "This deal is in USD"),
    ("mixed-currency-new", "new beta list=$100k floor=€80k", "one currency"),
    ("concession-to-zero-cut", "concede acme cut 95k", "zero or below"),
    ("concession-to-zero-percent", "concede acme 95%", "zero or below"),
    ("concession-to-zero-free", "concede acme free everything worth 95k", "zero or below"),
    ("get-with-nothing-to-answer", "get acme a logo", "log a concession first"),
    ("target-above-list", "new beta list=100k floor=80k target=120k", "target is above list"),
    ("zero-cap", "new beta list=100k floor=80k cap=0%", "more than 0%"),
    ("price-not-below-net", "concede acme price 95k", "concedes nothing"),
    ("too-many-hours", "hours acme 5000", "at most 1000"),
    ("long-get-inline", "concede acme 5% for " + "g" * 600, "characters"),
    ("unknown-new-option", "new beta list=100k floor=80k discount=5%", "is not an option"),
    ("bad-qualify-value", "qualify acme needs=maybe", "takes yes or no"),
    ("bad-summary-period", "summary yesterday", "neither a person"),
]


@pytest.mark.parametrize(("command", "complaint"), [pytest.param(cmd, why, id=case) for case, cmd, why in BAD_INPUT])
def test_bad_input_gets_an_ephemeral_error_with_usage_and_records_nothing(
    slack, standin, container, acme, command: str, complaint: str
) -> None:
    counts_before, state_before, writes_before = row_counts(container), snapshot(container), slack_writes(standin)

    answer = slack.command(command, user=REP)

    assert answer.status == 200
    assert answer.body.get("response_type") == "ephemeral", answer.body
    assert complaint in answer.text, f"the reply should say what was wrong ({complaint!r}): {answer.text}"
    assert "Usage:" in answer.text, answer.text
    assert len(answer.text) < 3000, "an error is short, not an echo of thousands of characters"
    for verdict in ("Verdict: *", "*OK*", "*PUSH BACK*", "*ESCALATE*", "*WALK AWAY*"):
        assert verdict not in answer.text, "a refused command judges nothing"
    assert row_counts(container) == counts_before
    assert snapshot(container) == state_before, "a refused command changed a row"
    slack.deliver()
    assert slack_writes(standin) == writes_before, "a refused command posted something to Slack"


def test_get_with_nothing_to_answer_on_a_fresh_deal_records_nothing(slack, standin, container) -> None:
    slack.command("new fresh list=100k floor=80k", user=REP)
    slack.deliver()
    counts_before, state_before = row_counts(container), snapshot(container)

    answer = slack.command("get fresh a logo", user=REP)

    assert answer.status == 200 and answer.body.get("response_type") == "ephemeral"
    assert "concession" in answer.text and "Usage:" in answer.text, answer.text
    assert row_counts(container) == counts_before
    assert snapshot(container) == state_before


def test_a_second_get_for_an_already_answered_concession_is_refused(slack, container, acme) -> None:
    counts_before = row_counts(container)
    answer = slack.command("get acme another logo", user=REP)
    assert answer.status == 200 and answer.body.get("response_type") == "ephemeral"
    assert "already has a get" in answer.text and "Usage:" in answer.text, answer.text
    assert row_counts(container) == counts_before


def test_another_currency_later_on_a_euro_deal_is_refused(slack, container) -> None:
    opened = slack.command("new euro list=€100k floor=€80k", user=REP)
    assert opened.status == 200 and "€100,000" in opened.text, opened.text
    counts_before, state_before = row_counts(container), snapshot(container)

    answer = slack.command("concede euro cut $5k", user=REP)

    assert answer.status == 200 and answer.body.get("response_type") == "ephemeral"
    assert "This deal is in EUR" in answer.text and "Usage:" in answer.text, answer.text
    assert row_counts(container) == counts_before
    assert snapshot(container) == state_before
    # The same amount without a symbol is in the deal's own currency and is fine.
    assert "Net €95,000" in slack.command("concede euro cut 5k", user=REP).text


def test_an_unparseable_amount_is_never_read_as_zero(slack, container, acme) -> None:
    answer = slack.command("concede acme price nothing", user=REP)
    assert "not an amount" in answer.text and "Usage:" in answer.text
    with container.uow("T0TEST") as uow:
        deal = uow.deals.get(name="acme")
    assert [e.worth_cents for e in deal.entries if e.kind.value == "concession"] == [500_000]


def test_an_empty_command_is_help_not_an_error(slack, container) -> None:
    counts_before = row_counts(container)
    answer = slack.command("", user=REP)
    assert answer.status == 200 and answer.body.get("response_type") == "ephemeral"
    assert "/deal new" in answer.text and ":warning:" not in answer.text
    assert row_counts(container) == counts_before


def test_bad_input_in_another_channel_posts_nothing_there(slack, standin, container, acme) -> None:
    counts_before = row_counts(container)
    answer = slack.command("concede acme 500%", user=REP, channel="C0ELSEWHERE")
    assert answer.status == 200 and "over 100%" in answer.text and "Usage:" in answer.text
    slack.deliver()
    assert standin.messages("C0ELSEWHERE") == []
    assert row_counts(container) == counts_before
    assert standin.messages(CHANNEL), "the deal's own card is still there"


POLICY_BAD_INPUT = [
    ("cap-over-100", "policy cap=150%", "over 100%"),
    ("cap-unparseable", "policy cap=lots", "not a percentage"),
    ("unknown-key", "policy frobnicate=1", "is not a policy key"),
    ("hour-out-of-range", "policy digest_hour=25", "whole number from 0 to 23"),
    ("unknown-timezone", "policy timezone=Mars/Olympus", "time zone"),
    ("bad-channel", "policy alert_channel=@general", "takes a channel"),
    ("unknown-channel", "policy alert_channel=general", "sees no channel named #general"),
    ("one-good-one-bad", "policy cap=30% near_floor=lots", "not a percentage"),
]


@pytest.mark.parametrize(("command", "complaint"),
                         [pytest.param(cmd, why, id=case) for case, cmd, why in POLICY_BAD_INPUT])
def test_bad_policy_input_from_a_manager_changes_nothing(slack, container, acme, command: str,
                                                         complaint: str) -> None:
    state_before = snapshot(container)
    answer = slack.command(command, user=MANAGER)
    assert answer.status == 200 and answer.body.get("response_type") == "ephemeral"
    assert complaint in answer.text and "Usage:" in answer.text, answer.text
    assert snapshot(container) == state_before
    with container.uow("T0TEST") as uow:
        assert uow.workspaces.policy().cap_bp == 2000
