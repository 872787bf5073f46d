"""One structured-output call over real HTTP to a local OpenAI-compatible server: what goes out, what comes back."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bot.coach.llm import answer_schema
from bot.coach.principles import load_principles
from bot.config import Settings
from bot.llm.client import StructuredLLM
from bot.llm.errors import LLMUnavailable
from bot.standin.llm import LLMStandIn

CoachAnswer = answer_schema(p.id for p in load_principles())
ANSWER = {"move": "hold", "lines": [{"principle_id": "give-get", "text": "What would a longer term be worth to you?"},
                                    {"principle_id": "value-not-price", "text": "What does the delay cost you?"}]}


LLM_ANSWER = ANSWER  # what the `llm` fixture (conftest.py) answers every request with


def client(llm: LLMStandIn) -> StructuredLLM:
    settings = Settings(_env_file=None, OPENAI_BASE_URL=llm.url, DEALCOACH_LLM_TIMEOUT="3",
                        DEALCOACH_LLM_MODEL="test-model")
    return StructuredLLM(settings)


def test_the_request_asks_for_strict_structured_output_of_the_schema_and_the_answer_comes_back_typed(llm) -> None:
    answer = client(llm).ask("system words", "task words", CoachAnswer, max_tokens=321)

    assert answer == CoachAnswer.model_validate(ANSWER)
    (sent,) = llm.requests
    assert sent["model"] == "test-model"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert sent["messages"][1]["content"] == "task words"
    assert sent["max_tokens"] == 321, "the caller bounds the answer's length"
    form = sent["response_format"]
    assert form["type"] == "json_schema" and form["json_schema"]["name"] == "CoachAnswer"
    assert form["json_schema"]["strict"] is True
    schema = form["json_schema"]["schema"]
    assert set(schema["required"]) == {"move", "lines"} and schema["additionalProperties"] is False


def test_a_schema_is_built_once_and_the_same_format_goes_out_on_every_call(llm) -> None:
    structured = client(llm)
    prepared = structured.prepare(CoachAnswer)
    structured.ask("s", "t", CoachAnswer, max_tokens=400)
    structured.ask("s", "t", CoachAnswer, max_tokens=400)

    assert structured.prepare(CoachAnswer) is prepared
    assert llm.requests[0]["response_format"] == llm.requests[1]["response_format"]


class Other(BaseModel):
    word: str


def test_a_schema_never_prepared_is_built_at_its_first_call(llm) -> None:
    llm.answer({"word": "fine"})
    assert client(llm).ask("s", "t", Other, max_tokens=50) == Other(word="fine")
    assert llm.requests[0]["response_format"]["json_schema"]["name"] == "Other"


def test_a_refusal_is_no_answer(llm) -> None:
    llm.refusal = "I cannot help with that."
    with pytest.raises(LLMUnavailable):
        client(llm).ask("s", "t", CoachAnswer, max_tokens=400)


def test_an_answer_cut_off_at_the_length_limit_is_no_answer(llm) -> None:
    llm.finish_reason = "length"
    with pytest.raises(LLMUnavailable):
        client(llm).ask("s", "t", CoachAnswer, max_tokens=400)
    assert len(llm.requests) == 1, "a cut-off answer is not retried: a second try would be cut off too"


def test_an_answer_that_does_not_fit_the_schema_is_no_answer(llm) -> None:
    llm.answer({"move": "give everything away", "lines": []})
    with pytest.raises(LLMUnavailable):
        client(llm).ask("s", "t", CoachAnswer, max_tokens=400)
    assert len(llm.requests) == 1


def test_a_correction_is_sent_as_the_conversations_next_turns_less_deterministically(llm) -> None:
    client(llm).ask("s", "t", CoachAnswer, max_tokens=400, correction=('{"move": "hold"}', "line 1 was wrong"))
    (sent,) = llm.requests
    assert [(m["role"], m["content"]) for m in sent["messages"]] == [
        ("system", "s"), ("user", "t"), ("assistant", '{"move": "hold"}'), ("user", "line 1 was wrong")]
    assert sent["temperature"] > 0.2
