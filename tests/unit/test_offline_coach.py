"""The offline coach: the rules decide the move, the principles give the words, the floor stays private."""

from __future__ import annotations

import re
import string

import pytest
from builders import add_ask, add_concession, add_reciprocated, dollars, make_deal

from bot.coach.offline import OfflineCoach
from bot.coach.principles import load_plays, load_principles
from bot.coach.types import OFFLINE_COACH, CoachRequest, Move, remembered
from bot.domain import deals as domain
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Policy, Stage
from bot.domain.rules import judge

PRINCIPLES = load_principles()
VERDICT_WORDS = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")


def advise(deal, moment: str = "concession", words: str = "", question: str = "",  # noqa: ANN001, ANN201
           shown: tuple[str, ...] = ()):
    policy = Policy()
    request = CoachRequest(deal, Ledger.of(deal), judge(deal, policy), policy, moment, customer_words=words,
                           question=question, shown=shown)
    return OfflineCoach(PRINCIPLES).advise(request)


def said(advice) -> str:  # noqa: ANN001 - test helper
    return " ".join(line.text for line in advice.lines).lower()


def test_every_principle_has_an_id_a_rule_triggers_and_two_or_three_lines() -> None:
    assert len(PRINCIPLES) >= 11
    for principle in PRINCIPLES:
        assert principle.id and principle.rule and principle.applies
        assert len(principle.examples) >= 3  # asked three times, the coach has new words each time


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


# Reading the situation -------------------------------------------------------------------------------------

def test_a_question_about_a_cheaper_competitor_is_answered_with_value_and_no_matched_price() -> None:
    deal = make_deal()
    plain = advise(deal, moment="coach")
    competitor = advise(deal, moment="coach", question="they say a competitor is 20% cheaper, what do I say?")
    assert competitor.move is Move.HOLD
    assert competitor.lines[0].principle_id == "value-not-price"
    assert "compar" in said(competitor) or "scope" in said(competitor)
    assert "match" not in said(competitor).replace("not going to match", "")
    assert said(competitor) != said(plain)


@pytest.mark.parametrize(("question", "move", "principle"), [
    ("they only have 70k of budget", Move.HOLD, "value-not-price"),
    ("they said 85k is their final offer, take it or leave it", Move.HOLD, "they-come-back"),
    ("she needs to check with her boss first", Move.HOLD, "qualify-first"),
    ("they'll sign by friday if we give 10%", Move.TRADE, "give-get"),
    ("they want net 90 payment terms", Move.TRADE, "give-get"),
    ("can we throw in onboarding for free?", Move.TRADE, "give-get"),
    ("now they also want the API module included", Move.TRADE, "give-get"),
    ("they've gone quiet for two weeks", Move.HOLD, "time-has-a-price"),
])
def test_each_thing_customers_do_gets_its_own_answer_first(question: str, move: Move, principle: str) -> None:
    advice = advise(make_deal(), moment="coach", question=question)
    assert advice.move is move
    assert advice.lines[0].principle_id == principle


def test_an_unethical_demand_in_a_coach_question_is_walked_away_from_saying_why() -> None:
    advice = advise(make_deal(), moment="coach", question="they want a kickback for the buyer, what do I do?")
    assert advice.move is Move.WALK_AWAY
    assert {line.principle_id for line in advice.lines} <= {"integrity", "they-come-back"}
    assert "kickback" in said(advice)
    assert "in return" not in said(advice)


def test_an_unethical_ask_already_logged_is_walked_away_from_whatever_the_figures() -> None:
    deal = make_deal()
    add_ask(deal, "a side payment to their lead", markers=("a side payment",))
    advice = advise(deal, moment="ask")
    assert advice.move is Move.WALK_AWAY and advice.lines[0].principle_id == "integrity"


# Fitting the moment -----------------------------------------------------------------------------------------

def test_after_a_concession_over_the_cap_the_lines_fit_a_move_already_made() -> None:
    deal = make_deal(floor_cents=dollars(60_000))
    add_concession(deal, dollars(25_000), kind=ConcessionType.CUT)
    advice = advise(deal, moment="concession")
    assert advice.move is Move.ESCALATE
    assert "let me take it to my manager" not in said(advice)
    assert "$25,000 off" in said(advice)  # it names what was given, as the customer heard it


def test_after_a_concession_traded_for_a_get_over_the_cap_the_lines_still_fit_a_move_already_made() -> None:
    deal = make_deal(floor_cents=dollars(60_000))
    add_concession(deal, dollars(25_000), kind=ConcessionType.CUT, got="a signature this quarter")
    advice = advise(deal, moment="concession")
    assert advice.move is Move.ESCALATE
    assert "let me take it to my manager" not in said(advice) and "$25,000 off" in said(advice)


def test_after_a_give_without_a_get_the_coach_asks_for_something_not_yet_received() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000), got="a two-year term")
    add_concession(deal, dollars(2_000))
    advice = advise(deal, moment="concession")
    assert "give-get" in {line.principle_id for line in advice.lines}
    assert "two-year term" not in said(advice)  # already got: it asks for something else
    assert "signature" in said(advice) or "case study" in said(advice)


def test_a_get_just_recorded_is_banked_and_the_talk_moves_to_closing() -> None:
    deal = make_deal()
    add_reciprocated(deal, dollars(3_000))
    advice = advise(deal, moment="get")
    assert advice.move is Move.HOLD
    assert any(words in advice.lines[0].text for words in ("fair trade", "signature", "close on these terms"))


def test_a_customer_back_after_a_walk_away_hears_the_terms_stand() -> None:
    deal = make_deal()
    domain.close(deal, Stage.WALKED, price=None, note="")
    advice = advise(deal, moment="coach", question="they called back")
    assert advice.move is Move.HOLD
    assert advice.lines[0].principle_id == "they-come-back"


# Not repeating itself ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["", "they say a competitor is cheaper", "they want a free month"])
def test_asked_three_times_in_a_row_the_coach_never_repeats_a_line(question: str) -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000))
    shown: tuple[str, ...] = ()
    seen: list[str] = []
    for _ in range(3):
        advice = advise(deal, moment="coach", question=question, shown=shown)
        assert len(advice.lines) >= 2
        seen += [line.text for line in advice.lines]
        shown = remembered(shown, advice)
    assert len(seen) == len(set(seen)), seen


def test_every_play_line_cites_a_known_principle_and_fills_only_known_blanks() -> None:
    plays = load_plays(PRINCIPLES)
    blanks = {"get", "last_given", "given", "got", "unethical"}
    for play in plays.values():
        assert len(play.lines) >= 3, play.id
        for line in play.lines:
            names = {name for _, name, _, _ in string.Formatter().parse(line.text) if name}
            assert names <= blanks, line.text
            assert not VERDICT_WORDS.search(line.text) and not re.search(r"\d", line.text), line.text


def test_walking_away_below_the_floor_says_nothing_of_a_managers_approval() -> None:
    deal = make_deal(floor_cents=dollars(80_000))
    add_concession(deal, dollars(25_000))  # below the floor and over the cap at once
    advice = advise(deal, moment="concession")
    assert advice.move is Move.WALK_AWAY
    assert "approv" not in said(advice) and "manager" not in said(advice)


def test_an_unethical_demand_is_named_once_in_a_line_a_rep_can_say() -> None:
    deal = make_deal()
    add_ask(deal, "kickback plus a side letter", markers=("a kickback", "a side agreement kept out of the contract"))
    advice = advise(deal, moment="ask")
    assert advice.lines[0].text.startswith("I can't agree to a kickback.")
    assert all(len(line.text) <= 200 for line in advice.lines)
