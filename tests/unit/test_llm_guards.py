"""The LLM coach's guards, one rule a test. Lines marked "real" were written by Qwen2.5-Coder 1.5B Instruct
through the coach's prompt (bench/coach_quality.py --llm); the others state the rule where the model never broke it."""

from __future__ import annotations

import pytest
from builders import dollars, make_deal, percent, record

from bot.coach.guards import (
    ALIKE,
    DISCOUNT_ABOVE_CAP,
    MENTIONS_FLOOR,
    NAMES_A_PRIVATE_PRICE,
    NOT_TO_THE_CUSTOMER,
    OFFERS_A_GIVE_AGAIN,
    REPEATS_THE_ANSWER,
    REPEATS_WHAT_WAS_SHOWN,
    STATES_A_LIMIT,
    TOO_LONG,
    UNKNOWN_PRINCIPLE,
    VERDICT_WORD,
    alike,
    guard,
)
from bot.coach.principles import load_principles
from bot.coach.types import CoachRequest, Line
from bot.domain.deals import ConcessionSpec
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Deal, Policy
from bot.domain.money import Amount
from bot.domain.rules import judge

IDS = {p.id for p in load_principles()}
GOOD = "Before we go there, what does another quarter without this cost your team?"


def request(deal: Deal, *, shown: tuple[str, ...] = (), policy: Policy | None = None) -> CoachRequest:
    policy = policy or Policy()
    return CoachRequest(deal, Ledger.of(deal), judge(deal, policy), policy, "coach", shown=shown)


def breach(*texts: str, deal: Deal | None = None, **kwargs) -> str | None:  # noqa: ANN003
    lines = tuple(Line(text, "give-get", "Trade, never give") for text in texts)
    return guard(lines, request(deal or make_deal(floor_cents=dollars(80_000)), **kwargs), IDS)


def test_lines_that_keep_every_rule_pass() -> None:
    assert breach("I can look at that if you can commit to a two-year term. Would that work for you?", GOOD) is None


def test_a_principle_the_coach_does_not_know_is_refused() -> None:
    lines = (Line("Let us trade.", "made-up", ""),)
    assert guard(lines, request(make_deal()), IDS) == f"line 1 {UNKNOWN_PRINCIPLE}"


def test_a_verdict_word_in_capitals_is_refused() -> None:
    assert breach(GOOD, "That is an ESCALATE for us.") == f"line 2 {VERDICT_WORD}"


@pytest.mark.parametrize("line", [
    "I'm not just above your walk-away price. I want to make sure we're reaching a fair agreement.",  # real
    "We need to reach our walk-away point before we can offer anything.",  # real
    "Honestly we are close to our floor here.",
])
def test_a_line_that_mentions_the_floor_is_refused(line: str) -> None:
    assert breach(line) == f"line 1 {MENTIONS_FLOOR}"


@pytest.mark.parametrize("line", [
    "I am not able to offer a discount above 20% on the list price.",  # the cap's own figure, in a refusal
    "Twenty percent is as far as I can go.",  # in words
    "That's above our discount cap, I'm afraid.",
    "There's a ceiling on what I can approve.",
    "The maximum discount I can give is already on the table.",
    "It's above my approval limit.",
    "That's the most I can do on price.",
])
def test_a_line_that_states_the_cap_or_any_internal_limit_is_refused(line: str) -> None:
    assert breach(line) == f"line 1 {STATES_A_LIMIT}"


def test_the_policys_cap_is_a_limit_too_when_the_deal_has_its_own() -> None:
    deal = make_deal(floor_cents=dollars(70_000), cap_bp=2500)
    assert breach("I can't go past 20% without a second signature.", deal=deal) == f"line 1 {STATES_A_LIMIT}"


@pytest.mark.parametrize("line", [
    "Could you do $79k? That is as low as we go.",  # below the floor
    "Could we land at $80,000 if you sign this week?",  # the floor itself
    "Would eighty thousand dollars work for you?",  # the floor, in words
    "I could get you to $90k with a two-year term.",  # the target
    "We could meet at $80.5k if you sign today.",  # the price at the cap (list $100k, cap 19.5%)
])
def test_a_line_that_names_the_floor_the_target_or_the_price_at_the_cap_is_refused(line: str) -> None:
    deal = make_deal(floor_cents=dollars(80_000), target_cents=dollars(90_000), cap_bp=1950)
    assert breach(line, deal=deal) == f"line 1 {NAMES_A_PRIVATE_PRICE}"


def test_a_price_the_customer_may_hear_passes() -> None:
    assert breach("The list price of $100k covers every seat you asked for.") is None


def test_a_discount_above_the_cap_is_refused() -> None:
    assert breach("We could stretch to 35% off for you.") == f"line 1 {DISCOUNT_ABOVE_CAP}"


def given(deal: Deal) -> Deal:
    """10% off list and net 90 given, as the ledger names them."""
    record(deal, percent(1000))
    record(deal, ConcessionSpec(ConcessionType.TERMS, text="net 90", worth=Amount(dollars(1_000))))
    return deal


@pytest.mark.parametrize("line", [
    "I can offer 10% off if you sign this week.",
    "I can't offer net 90, but net 60 works.",
])
def test_a_line_that_offers_again_what_was_already_given_is_refused(line: str) -> None:
    assert breach(line, deal=given(make_deal())) == f"line 1 {OFFERS_A_GIVE_AGAIN}"


def test_a_discount_already_given_is_not_offered_again_for_a_get() -> None:
    deal = make_deal()
    record(deal, percent(200))
    record(deal, percent(500))
    real = ("I want to give you a logo on the website for a 5% discount, and then we can discuss the 8% off offer.")
    assert breach(real, deal=deal) == f"line 1 {OFFERS_A_GIVE_AGAIN}"


def test_a_free_month_already_given_is_not_offered_again() -> None:
    deal = make_deal()
    record(deal, ConcessionSpec(ConcessionType.FREE, text="1 month", months=1))
    assert breach("I can add a free month if you sign today.", deal=deal) == f"line 1 {OFFERS_A_GIVE_AGAIN}"


def test_a_given_concession_named_as_done_is_a_reminder_not_an_offer() -> None:
    deal = given(make_deal())
    assert breach("We already gave you 10% off and net 90; now I need a signature this month.", deal=deal) is None


def test_a_line_longer_than_two_short_sentences_is_refused() -> None:
    real = ("I understand that you want to get 5% off. However, I need to make sure that the value you will get "
            "from this deal is worth the time and effort you are putting into it. Can you please provide me with a "
            "case study that you would be willing to")  # cut off by the schema's bound
    assert breach(real) == f"line 1 {TOO_LONG}"


@pytest.mark.parametrize("line", [
    "The customer's need for a kickback is unethical. I will not walk away from this deal.",  # real
    "The customer's needs are not a perfect fit for what you offer. We should stop selling and say so.",  # real
])
def test_a_line_about_the_customer_instead_of_to_them_is_refused(line: str) -> None:
    assert breach(line) == f"line 1 {NOT_TO_THE_CUSTOMER}"


def test_two_lines_of_one_answer_alike_are_refused() -> None:
    real = ("I understand that you need more flexibility, but I need to make sure we're not giving anything away. "
            "Can we agree on a smaller term or a different payment structure?",
            "I want to give back the flexibility we need, but I want to make sure we're not giving anything away. "
            "Can we agree on a smaller term or a different payment structure?")
    assert breach(*real) == f"line 2 {REPEATS_THE_ANSWER}"


def test_a_line_alike_to_one_already_shown_on_the_deal_is_refused() -> None:
    shown = ("I can look at that if we can agree on a two-year term. Does that work on your side?",)
    real = "If you can help me sharpen the pencil, I'll look at that if we can agree on a two-year term. " \
           "Does that work on your side?"
    assert breach(GOOD, real, shown=shown) == f"line 2 {REPEATS_WHAT_WAS_SHOWN}"


@pytest.mark.parametrize(("one", "other"), [
    ("I can look at that if we agree on a two-year term", "I can look at that if we can agree on a two year term."),
    ("Before we talk numbers again, can we go back to the cost of the problem you're solving?",
     "before we talk numbers again can we go back to the cost of the problem you are solving"),
    ("Before we talk numbers again, can we go back to the cost of the problem you're solving?",  # real: reordered
     "Can we go back to the cost of the problem you're solving? Before we talk numbers again, let's discuss the "
     "total cost."),
])
def test_a_line_reworded_a_little_is_the_same_line(one: str, other: str) -> None:
    assert alike(one, other)


@pytest.mark.parametrize(("one", "other"), [
    ("I can look at that if you can commit to a two-year term. Would that work for you?", GOOD),  # real
    ("I can look at that if we can agree on a two-year term. Does that work on your side?",
     "If I can get that approved, can you commit to signing by the end of the month?"),
])
def test_different_lines_on_one_theme_are_not_the_same_line(one: str, other: str) -> None:
    assert not alike(one, other), ALIKE


def test_a_line_that_says_a_whole_sentence_of_another_again_is_a_repeat() -> None:
    # Written by Qwen2.5-Coder 1.5B for "procurement came back with a quote 15% below us".
    first = ("I understand that you have a quote from another vendor that is 15% below us. We need to make a "
             "decision based on our own needs and budget. Can we discuss this further?")
    second = "We need to make a decision based on our own needs and budget. Can we discuss this further?"
    assert alike(first, second)
    # Real too: a short line said again inside a longer one reads as said twice.
    assert alike("I'm sorry, but I can't offer that 15% off without a manager's approval. I'm afraid we need to "
                 "discuss this further.", "I'm afraid we need to discuss this further.")
    assert not alike("Thanks. Let's talk scope.", "Thanks. What does the delay cost you?")
