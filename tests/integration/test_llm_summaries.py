"""Summary sentences by an LLM: used when their numbers are the figures', the offline ones otherwise."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from conftest import MANAGER, REP, make_settings

from bot.bootstrap import Container, build
from bot.llm.prompts import Prompts
from bot.render.blocks import Reply
from bot.services.access import Actor
from bot.services.periods import current_period
from bot.slack.router import CommandRouter
from bot.standin.llm import MALFORMED, SERVER_ERROR


@pytest.fixture
def with_llm(standin, database_url, llm) -> Iterator[Container]:  # noqa: ANN001
    settings = make_settings(standin, database_url, OPENAI_BASE_URL=llm.url, DEALCOACH_LLM_TIMEOUT="2")
    built = build(settings, pace_seconds=0)
    yield built
    built.close()


def seed(container: Container) -> None:
    router = CommandRouter(container.services)
    for text in ("new acme list=100k floor=60k", "concede acme 5%", "concede acme 2%"):
        router.handle(Actor("T0TEST", REP, "C0DEALS"), text)


def team_summary(container: Container, *, use_llm: bool = True):  # noqa: ANN201
    period = current_period(datetime.now(UTC), "week", "UTC")
    return container.services.summaries.for_period("T0TEST", period, "UTC", use_llm=use_llm)


def test_the_llms_sentences_are_used_when_every_number_comes_from_the_figures(with_llm, llm) -> None:
    seed(with_llm)
    llm.answer({"sentences": ["The team opened 1 deal and gave 2 concessions, none traded.",
                              f"<@{REP}> gave 2 without a get."]})
    result = team_summary(with_llm)
    assert result.sentences[0] == "The team opened 1 deal and gave 2 concessions, none traded."
    sent = llm.requests[-1]
    assert sent["response_format"]["type"] == "json_schema"
    assert '"concessions": 2' in sent["messages"][1]["content"]


@pytest.mark.parametrize(
    "sentences",
    [["The team gave 7 concessions."],  # a number not in the figures
     ["Acme is at ESCALATE."],  # a verdict word in capitals
     ["Acme is close to its floor."]],  # the floor is private
)
def test_an_answer_that_breaks_the_rules_is_discarded_for_the_offline_sentences(with_llm, llm, sentences) -> None:
    seed(with_llm)
    llm.answer({"sentences": sentences})
    result = team_summary(with_llm)
    assert result.sentences == team_summary(with_llm, use_llm=False).sentences


def test_a_failing_llm_leaves_the_offline_sentences(with_llm, llm) -> None:
    seed(with_llm)
    llm.fault = SERVER_ERROR
    assert team_summary(with_llm).sentences == team_summary(with_llm, use_llm=False).sentences
    assert len(llm.requests) == 2, "the openai client retried once"


def test_malformed_json_from_the_llm_leaves_the_offline_sentences(with_llm, llm) -> None:
    seed(with_llm)
    llm.fault = MALFORMED
    assert team_summary(with_llm).sentences == team_summary(with_llm, use_llm=False).sentences


def test_a_slow_llm_is_given_up_within_the_timeout(with_llm, llm) -> None:
    seed(with_llm)
    llm.delay = 5
    started = time.monotonic()
    sentences = team_summary(with_llm).sentences
    assert time.monotonic() - started < 2.5
    assert sentences == team_summary(with_llm, use_llm=False).sentences


def test_the_summary_command_answers_at_once_and_the_llm_version_follows(with_llm, llm, standin) -> None:
    seed(with_llm)
    llm.answer({"sentences": ["The team opened 1 deal and gave 2 concessions."]})
    reply = CommandRouter(with_llm.services).handle(Actor("T0TEST", MANAGER, "C0DEALS"), "summary",
                                                    {"response_url": standin.response_url("summary")})
    assert isinstance(reply, Reply) and "Summary for this week" in reply.text
    assert llm.requests == [], "the acknowledgement was built without asking the LLM"
    with_llm.worker.drain()
    assert llm.requests, "the outbox worker asks the LLM after the acknowledgement"
    followed = standin.responses("summary")
    assert followed and "The team opened 1 deal and gave 2 concessions." in followed[-1]["text"]


def test_every_prompt_template_renders_with_sample_data() -> None:
    prompts = Prompts()
    assert {"summary_system", "summary_task"} <= set(prompts.names)
    assert "Period: this week" in prompts.render("summary_task", period="this week", previous="last week",
                                                 figures="{}")
    assert "OK, PUSH BACK" in prompts.render("summary_system")
