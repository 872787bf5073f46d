"""The offline coach: the rules decide the move, the principles give the words, the floor stays private."""

from __future__ import annotations

import re

import pytest
from builders import add_concession, add_reciprocated, dollars, make_deal

from bot.coach.offline import OfflineCoach
from bot.coach.principles import load_principles
from bot.coach.types import OFFLINE_COACH, CoachRequest, Move
from bot.domain.ledger import Ledger
from bot.domain.model import Policy
from bot.domain.rules import judge

PRINCIPLES = load_principles()
VERDICT_WORDS = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")


def advise(deal, moment: str = "concession", words: str = ""):  # noqa: ANN001, ANN201 - test helper
    policy = Policy()
    request = CoachRequest(deal, Ledger.of(deal), judge(deal, policy), policy, moment, customer_words=words)
    return OfflineCoach(PRINCIPLES).advise(request)


def test_every_principle_has_an_id_a_rule_triggers_and_two_or_three_lines() -> None:
    assert len(PRINCIPLES) >= 11
    for principle in PRINCIPLES:
        assert principle.id and principle.rule and principle.applies
        assert 2 <= len(principle.examples) <= 3


def test_no_principle_line_uses_a_verdict_word_in_capitals() -> None:
    for principle in PRINCIPLES:
        for text in (principle.rule, *principle.examples):
            assert not VERDICT_WORDS.search(text), text


def test_a_floor_breach_recommends_walking_away() -> None:
    deal = make_deal(floor_cents=dollars(90_000))
    add_concession(deal, dollars(15_000))
    advice = advise(deal)
    assert advice.move is Move.WALK_AWAY
    assert advice.coach == OFFLINE_COACH


def test_a_discount_over_the_cap_recommends_escalating() -> None:
    deal = make_deal(floor_cents=dollars(50_000))
    add_concession(deal, dollars(25_000))
    assert advise(deal).move is Move.ESCALATE


def test_giving_twice_without_getting_recommends_a_trade() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000))
    add_concession(deal, dollars(2_000))
    advice = advise(deal)
    assert advice.move is Move.TRADE
    assert "give-get" in {line.principle_id for line in advice.lines}


def test_an_ask_is_always_answered_with_a_trade_when_the_rules_allow_it() -> None:
    assert advise(make_deal(), moment="ask").move is Move.TRADE


def test_a_clean_deal_after_a_traded_concession_is_held() -> None:
    deal = make_deal()
    add_reciprocated(deal, dollars(3_000))
    assert advise(deal).move is Move.HOLD


@pytest.mark.parametrize("floor", [dollars(90_000), dollars(97_531)])
def test_coaching_lines_never_name_the_floor(floor: int) -> None:
    deal = make_deal(floor_cents=floor)
    add_concession(deal, dollars(5_000))
    advice = advise(deal)
    assert 2 <= len(advice.lines) <= 3
    for line in advice.lines:
        assert "90,000" not in line.text and "97,531" not in line.text
        assert line.principle_id in {p.id for p in PRINCIPLES}
