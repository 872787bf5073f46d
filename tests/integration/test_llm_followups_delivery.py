"""What the LLM adds after an acknowledgement reaches the rep even when its usual way is closed: the response URL
refused, or the outbox away."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import CHANNEL, REP, TEAM, make_settings
from slack_client import shortcut_payload
from sqlalchemy.exc import OperationalError

from bot.bootstrap import Container, build
from bot.services.access import Actor
from bot.slack.router import CommandRouter

GOOD = {"move": "trade", "lines": [
    {"text": "I can look at that if we can agree on a two-year term.", "principle_id": "give-get"},
    {"text": "Before we talk numbers, what does the delay cost your team each month?",
     "principle_id": "value-not-price"}]}
DEAD_RESPONSE_URL = "http://127.0.0.1:1/respond/gone"  # nothing listens on port 1: the post is refused


LLM_ANSWER = GOOD  # what the `llm` fixture (conftest.py) answers every request with


@pytest.fixture
def container(standin, database_url, llm) -> Iterator[Container]:  # noqa: ANN001 - the app, with an LLM
    built = build(make_settings(standin, database_url, OPENAI_BASE_URL=llm.url, DEALCOACH_LLM_TIMEOUT="6",
                                DEALCOACH_LLM_MODEL="test-model"), pace_seconds=0)
    yield built
    built.close()


def test_the_llms_phrasing_reaches_the_rep_privately_when_the_response_url_is_refused(container, standin) -> None:
    router, actor = CommandRouter(container.services), Actor(TEAM, REP, CHANNEL)
    router.handle(actor, "new acme list=100k floor=80,000 customer=Acme", {"response_url": DEAD_RESPONSE_URL})
    router.handle(actor, "ask acme they want 10% off", {"response_url": DEAD_RESPONSE_URL})
    assert standin.wait_for(lambda: standin.ephemerals(REP), timeout=5), "the LLM's lines were lost"
    [followed] = standin.ephemerals(REP)
    assert followed.channel == CHANNEL and "Answered by the LLM coach" in json.dumps(followed.blocks)


def test_the_llms_coaching_of_a_message_reaches_the_rep_in_its_thread_when_the_outbox_is_away(
        slack, standin, container, monkeypatch) -> None:
    slack.command("new acme list=120k floor=90k", user=REP)
    slack.deliver()
    card = standin.messages(CHANNEL, include_threads=False)[0].ts

    def database_away(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT INTO outbox …", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(container.services.notices, "private", database_away)
    payload = shortcut_payload(standin, user=REP, channel=CHANNEL, ts="1700000099.000200", thread_ts=card,
                               words="They say the budget is tight this quarter.", team=TEAM)
    assert slack.interactive(payload).status == 200
    assert standin.wait_for(lambda: standin.ephemerals(REP), timeout=5), "the coaching was lost"
    [coaching] = standin.ephemerals(REP)
    assert coaching.thread_ts == card and "acme" in json.dumps(coaching.blocks)
