"""What people read carries no internal words: policy keys as they type them, people and channels as Slack
mentions, principles by their titles, concessions numbered as given, stages and Slack's errors in words."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, OTHER_REP, REP
from test_decisions import alert_with_buttons, click

from bot.coach.principles import load_principles
from bot.commands.policy import KEYS
from bot.domain.model import Policy
from bot.slack.ids import Action

IDS = (REP, OTHER_REP, MANAGER, CHANNEL, ALERTS, "C0DIGEST")
FIELDS = [name for name in Policy.__dataclass_fields__ if name not in KEYS]  # cap_bp, hourly_cost_cents, …
PRINCIPLES = load_principles()


def shown(blocks: list[dict[str, Any]] | None, fallback: str = "") -> str:
    """Every text a person reads in the blocks (not the buttons' values), one per line."""
    texts = [fallback]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") in ("mrkdwn", "plain_text"):
                texts.append(str(value.get("text", "")))
            for key, item in value.items():
                if key != "value":
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(blocks or [])
    return "\n".join(texts)


def bare_ids(text: str) -> list[str]:
    """User and channel ids shown as themselves rather than as `<@U…>` / `<#C…>` mentions."""
    outside = re.sub(r"<[@#][A-Z0-9]+(?:\|[^>]*)?>", "", text)
    return [found for found in IDS if found in outside]


def reply_text(answer) -> str:  # noqa: ANN001
    return shown(answer.body.get("blocks"), answer.body.get("text", ""))


# Policy keys ----------------------------------------------------------------------------------------------


TYPED = [
    ("cap=25%", "`cap` = 25%"),
    ("near_floor=3%", "`near_floor` = 3% of list"),
    ("unreciprocated=3", "`unreciprocated` = 3"),
    ("max_concessions=7", "`max_concessions` = 7"),
    ("hourly_cost=200", "`hourly_cost` = 200 per hour"),
    ("time_share=15%", "`time_share` = 15% of the effective price"),
    (f"alert_channel=<#{ALERTS}|deal-alerts>", f"`alert_channel` = <#{ALERTS}>"),
    (f"managers=<@{OTHER_REP}|bob>", f"`managers` = <@{OTHER_REP}>"),
    ("digest_day=fri", "`digest_day` = Friday"),
    ("digest_hour=17", "`digest_hour` = 17:00"),
    ("timezone=Europe/Paris", "`timezone` = Europe/Paris"),
    ("digest_channel=<#C0DIGEST|digest>", "`digest_channel` = <#C0DIGEST>"),
    ("stale_days=3", "`stale_days` = 3 days"),
]


def test_every_policy_key_is_checked_here() -> None:
    assert {typed.split("=")[0] for typed, _ in TYPED} == set(KEYS)


@pytest.mark.parametrize(("typed", "said"), TYPED, ids=[typed.split("=")[0] for typed, _ in TYPED])
def test_a_policy_change_names_the_key_as_typed_with_the_new_value_in_the_users_words(
        slack, typed: str, said: str) -> None:
    text = reply_text(slack.command(f"policy {typed}", user=MANAGER))
    head = text.split("\n")[1]
    assert head.startswith("Policy updated: ") and said in head, text
    assert said in text.split("\n", 2)[2], "the whole policy below shows the new value too"
    assert not [field for field in FIELDS if field in text], text


def test_the_policy_shows_each_key_as_typed_and_channels_and_people_as_mentions(slack) -> None:
    text = reply_text(slack.command("policy", user=REP))
    assert all(f"`{key}` = " in text for key in KEYS), text
    assert not [field for field in FIELDS if field in text], text
    assert f"`alert_channel` = <#{ALERTS}>" in text and f"`managers` = <@{MANAGER}>" in text
    assert bare_ids(text) == []


# Mentions ------------------------------------------------------------------------------------------------


def test_cards_alerts_decisions_lists_summaries_and_home_show_people_and_channels_as_mentions(
        slack, standin) -> None:
    alert = alert_with_buttons(slack, standin)
    click(slack, alert, Action.APPROVE_EXCEPTION, user=MANAGER)
    texts = [shown(m.blocks, m.text) for m in standin.messages() + standin.ephemerals()]
    texts += [reply_text(slack.command(command, user=MANAGER)) for command in ("list all", "summary")]
    texts += [shown(slack.open_home(MANAGER)["blocks"])]  # as Slack shows it: the setup's mentions stay mentions
    everything = "\n".join(texts)
    assert f"<@{REP}>" in everything and f"<@{MANAGER}>" in everything
    assert bare_ids(everything) == []


# Principles ----------------------------------------------------------------------------------------------


def test_every_principle_has_a_title_of_its_own() -> None:
    titles = [p.title for p in PRINCIPLES]
    assert all(title.strip() for title in titles) and len(set(titles)) == len(titles)


def test_the_coachs_advice_names_principles_by_title_not_by_id(slack) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    text = reply_text(slack.command("concede acme 10%", user=REP))
    assert "Recommended move" in text
    assert any(f"({p.title})" in text for p in PRINCIPLES), text
    assert not [p.id for p in PRINCIPLES if p.id in text], text


# Ledger numbers, stages, Slack's errors ------------------------------------------------------------------


def test_concessions_are_numbered_in_the_order_given_not_by_their_place_in_the_ledger(slack) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 5% for a logo", user=REP)
    slack.command("ask acme they want onboarding", user=REP)
    slack.command("concede acme free onboarding", user=REP)
    text = reply_text(slack.command("status acme", user=REP))
    assert "1. 5% off list" in text and "2. free onboarding" in text, text
    assert "leave out what “free onboarding” is worth" in text and "#4" not in text


def test_a_closed_deal_reads_as_closed_in_words_not_by_its_stage_name(slack, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("walk acme too low", user=REP)
    slack.deliver()
    card = standin.messages(CHANNEL, include_threads=False)[-1]
    assert "Stage walked away" in shown(card.blocks)
    refused = reply_text(slack.command("concede acme 5%", user=REP))
    assert "You walked away from `acme`" in refused and "/deal back acme" in refused, refused


def test_a_second_decision_on_an_alert_is_told_what_was_decided_in_words(slack, standin) -> None:
    alert = alert_with_buttons(slack, standin)
    click(slack, alert, Action.TELL_WALK_AWAY, user=MANAGER)
    click(slack, alert, Action.APPROVE_EXCEPTION, user=MANAGER)
    told = [m.text for m in standin.ephemerals(MANAGER) if "already decided" in m.text]
    assert told and "the rep was asked to walk away" in told[-1] and "(walk away)" not in told[-1]


def test_the_modal_refusal_names_slacks_reason_in_words(slack, standin) -> None:
    standin.fail_next("views.open", status=200, error="expired_trigger_id")
    text = json.dumps(slack.command("new", user=REP).body)
    assert "the request to open it expired" in text and "expired_trigger_id" not in text
