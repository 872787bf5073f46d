"""The LLM coach's request: the schema, the prompt's facts in plain words, and its one retry, with a stub LLM."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from builders import add_ask, dollars, make_deal, percent, record
from pydantic import BaseModel, ValidationError

from bot.coach.llm import COACH_MAX_TOKENS, LLMCoach, answer_schema
from bot.coach.principles import load_principles
from bot.coach.types import CoachName, CoachRequest
from bot.domain.deals import ConcessionSpec
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Deal, Policy
from bot.domain.money import Amount
from bot.domain.rules import judge
from bot.llm.errors import LLMUnavailable
from bot.llm.prompts import Prompts

PRINCIPLES = load_principles()
GOOD = [{"principle_id": "give-get", "text": "I can look at that if you can commit to a two-year term."},
        {"principle_id": "value-not-price", "text": "What does another quarter without this cost your team?"}]
BAD = [{"principle_id": "give-get", "text": "I can stretch to 35% off for you."}, GOOD[1]]


class StubLLM:
    """Answers each `ask` with the next lines, after `seconds`; remembers what it was asked."""

    model, timeout = "test-model", 5.0

    def __init__(self, *answers: list[dict[str, str]], seconds: float = 0.0) -> None:
        self.answers, self.seconds = list(answers), seconds
        self.asked: list[dict[str, Any]] = []

    def prepare(self, schema: type) -> None:
        self.schema = schema

    def ask(self, system: str, user: str, schema: type[BaseModel], **options: Any) -> Any:
        self.asked.append({"system": system, "user": user, **options})
        time.sleep(self.seconds)
        return schema.model_validate({"move": "trade", "lines": self.answers.pop(0)})


def coach(llm: StubLLM) -> LLMCoach:
    return LLMCoach(llm, Prompts(), PRINCIPLES)  # type: ignore[arg-type]


def deal_with_history() -> Deal:
    deal = make_deal(floor_cents=dollars(80_123), target_cents=dollars(91_234))
    record(deal, percent(1000))
    record(deal, ConcessionSpec(ConcessionType.TERMS, text="net 90", worth=Amount(dollars(1_000))))
    add_ask(deal, "another 5% off")
    return deal


def request(deal: Deal, **kwargs: Any) -> CoachRequest:
    policy = Policy()
    return CoachRequest(deal, Ledger.of(deal), judge(deal, policy), policy, "coach", **kwargs)


def test_the_schema_offers_only_the_known_principle_ids() -> None:
    schema = answer_schema(p.id for p in PRINCIPLES)
    line = schema.model_json_schema()["$defs"]["CoachLine"]["properties"]["principle_id"]
    assert line["enum"] == [p.id for p in PRINCIPLES]
    with pytest.raises(ValidationError):
        schema.model_validate({"move": "hold", "lines": [{**GOOD[0], "principle_id": "made-up"}, GOOD[1]]})


def test_the_schema_asks_for_two_or_three_lines() -> None:
    schema = answer_schema(p.id for p in PRINCIPLES)
    for lines in ([GOOD[0]], [*GOOD, *GOOD]):
        with pytest.raises(ValidationError):
            schema.model_validate({"move": "hold", "lines": lines})


def test_the_answer_is_bounded_in_tokens() -> None:
    llm = StubLLM(GOOD)
    coach(llm).advise(request(make_deal()))
    assert llm.asked[0]["max_tokens"] == COACH_MAX_TOKENS


def test_the_llm_is_told_the_ledger_the_question_and_the_lines_shown_in_plain_words() -> None:
    llm = StubLLM(GOOD)
    shown = ("Before we talk numbers again, can we go back to the cost of the problem?",)
    coach(llm).advise(request(deal_with_history(), question="How do I stop the slide?", shown=shown))
    task = llm.asked[0]["user"]
    assert "- 10% off list, with nothing in return" in task
    assert "- terms: net 90, with nothing in return" in task
    assert "- another 5% off" in task
    assert "The rep's question: How do I stop the slide?" in task
    assert f"- {shown[0]}" in task and "do not repeat them" in task


def test_the_floor_and_the_target_never_reach_the_llm_and_the_cap_only_as_a_limit_in_the_system_prompt() -> None:
    llm = StubLLM(GOOD)
    coach(llm).advise(request(deal_with_history()))
    system, task = llm.asked[0]["system"], llm.asked[0]["user"]
    for secret in ("80,123", "80123", "80.1k", "91,234", "91234"):
        assert secret not in system + task
    assert "20%" not in task
    assert "Never offer a discount above 20%. That figure is an internal limit: never say it" in system


def test_an_answer_that_breaks_a_guard_is_asked_for_once_more_with_the_reason() -> None:
    llm = StubLLM(BAD, GOOD)
    advice = coach(llm).advise(request(make_deal()), budget=5)
    assert advice.lines[0].text == GOOD[0]["text"] and advice.coach == CoachName("test-model")
    previous, told = llm.asked[1]["correction"]
    assert json.loads(previous)["lines"][0]["text"] == BAD[0]["text"]
    assert "line 1 offers a bigger discount than the rep may give" in told


def test_an_answer_that_breaks_a_guard_twice_is_discarded() -> None:
    llm = StubLLM(BAD, BAD)
    with pytest.raises(LLMUnavailable, match="bigger discount"):
        coach(llm).advise(request(make_deal()), budget=5)
    assert len(llm.asked) == 2


def test_no_second_attempt_when_less_time_is_left_than_the_first_took() -> None:
    llm = StubLLM(BAD, GOOD, seconds=0.3)
    with pytest.raises(LLMUnavailable, match="bigger discount"):
        coach(llm).advise(request(make_deal()), budget=0.5)
    assert len(llm.asked) == 1
