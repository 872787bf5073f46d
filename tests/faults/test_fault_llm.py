"""The LLM down, slow, rate-limited or talking nonsense, with the app behind real HTTP: every
acknowledgement still carries the offline coach's advice at once, the promised follow-up comes once, in
time, saying the advice shown stands (no late or broken answer replaces it), and a thread message still gets
its proposal in time.

tests/integration/test_llm_coach.py already covers a 500, a 429 without Retry-After, a truncated body, an
unknown principle and a stall seen from the router; this adds the rest, over HTTP."""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any

import pytest
from conftest import CHANNEL, REP, make_settings
from faultkit import has_actions, message_event, percentile, timed, verdict_of
from slack_client import SlackClient

from bot.config import Settings
from bot.standin import SlackStandIn
from bot.standin.llm import Fault, LLMStandIn, rate_limited

TIMEOUT = 2.0  # DEALCOACH_LLM_TIMEOUT in these tests
GOOD = {"move": "trade", "lines": [
    {"text": "I can look at that if we can agree on a two-year term.", "principle_id": "give-get"},
    {"text": "What does another quarter without this cost your team?", "principle_id": "value-not-price"}]}
OFFLINE = "Answered by the offline coach"
STANDS = "The LLM coach had nothing to add; the advice above stands."


LLM_ANSWER = GOOD  # what the `llm` fixture (conftest.py) answers every request with


@pytest.fixture
def settings(standin: SlackStandIn, database_url: str, llm: LLMStandIn) -> Settings:
    """Overrides the root conftest's: the app under test has an LLM, within TIMEOUT seconds."""
    return make_settings(standin, database_url, OPENAI_BASE_URL=llm.url, DEALCOACH_LLM_TIMEOUT=str(TIMEOUT),
                         DEALCOACH_LLM_MODEL="test-model")


def open_deal(slack: SlackClient) -> None:
    assert slack.command("new acme list=100k floor=80k customer=Acme", user=REP).status == 200
    slack.command("qualify acme needs=yes decider=yes timeline=yes budget=yes", user=REP)


def coach(slack: SlackClient, key: str):  # noqa: ANN201
    return timed(slack.command, "coach acme", user=REP,
                 response_url=slack.standin.response_url(key))


def assert_the_advice_stands(standin: SlackStandIn, key: str) -> None:
    """Exactly one follow-up came: the same offline advice, saying it stands."""
    responses = standin.responses(key)
    assert len(responses) == 1, responses
    shown = json.dumps(responses[0]["blocks"], ensure_ascii=False)
    assert STANDS in shown and OFFLINE in shown and responses[0]["replace_original"] is True


def assert_offline_and_quick(done: Any) -> None:
    assert done.answer.status == 200
    assert OFFLINE in done.answer.text and "Recommended move" in done.answer.text, done.answer.text[:400]
    assert done.seconds < 1.0, f"the acknowledgement waited {done.seconds:.2f} s"


def test_with_the_llm_down_the_acknowledgement_carries_the_offline_coach_and_the_advice_stands(
        slack: SlackClient, standin: SlackStandIn, llm: LLMStandIn, settings: Settings) -> None:
    llm.stop()  # nothing listens there any more: connection refused
    open_deal(slack)
    done = coach(slack, "down")
    assert_offline_and_quick(done)
    assert standin.wait_for(lambda: standin.responses("down"), timeout=1.5)  # refused at once, retried once
    time.sleep(0.3)
    assert_the_advice_stands(standin, "down")


def test_an_llm_slower_than_the_timeout_is_followed_in_time_by_the_advice_standing_and_nothing_later(
        slack: SlackClient, standin: SlackStandIn, llm: LLMStandIn) -> None:
    llm.delay = TIMEOUT + 0.5  # it would answer well, but too late
    open_deal(slack)
    done = coach(slack, "slow")
    assert_offline_and_quick(done)
    assert standin.wait_for(lambda: len(llm.requests) == 2, timeout=TIMEOUT + 1)  # one attempt and one retry
    assert standin.wait_for(lambda: standin.responses("slow"), timeout=TIMEOUT)
    llm.quiet(TIMEOUT + 0.8)  # past the retry's late answer
    assert_the_advice_stands(standin, "slow")


def test_an_llm_rate_limited_with_a_long_retry_after_leaves_the_offline_advice(
        slack: SlackClient, standin: SlackStandIn, llm: LLMStandIn) -> None:
    llm.fail_next(rate_limited(retry_after=3))
    open_deal(slack)
    done = coach(slack, "limited")
    assert_offline_and_quick(done)
    standin.wait_for(lambda: standin.responses("limited"), timeout=4.5)
    llm.quiet(0.5)
    assert_the_advice_stands(standin, "limited")


@pytest.mark.parametrize("garbage", [
    pytest.param("Sure! Here is some advice: hold firm.", id="prose-not-json"),
    pytest.param({"move": "dance", "lines": [{"text": "x", "principle_id": "give-get"}] * 2},
                 id="json-outside-the-schema"),
    pytest.param({"move": "trade", "lines": []}, id="no-lines"),
    pytest.param(Fault(200, "<html><body>502 Bad Gateway</body></html>", "text/html"), id="html-page-with-200"),
    pytest.param(Fault(502, "<html>bad gateway</html>"), id="html-502"),
])
def test_garbage_from_the_llm_leaves_the_offline_advice(
        slack: SlackClient, standin: SlackStandIn, llm: LLMStandIn, garbage: str | dict | Fault) -> None:
    if isinstance(garbage, Fault):
        llm.fault = garbage
    else:
        llm.answer(garbage)
    open_deal(slack)
    done = coach(slack, "garbage")
    assert_offline_and_quick(done)
    assert standin.wait_for(lambda: llm.requests, timeout=TIMEOUT)
    llm.quiet(0.8)  # a 5xx is retried once, after about half a second
    assert standin.wait_for(lambda: standin.responses("garbage"), timeout=TIMEOUT)
    assert_the_advice_stands(standin, "garbage")


def test_a_stalled_llm_slows_no_acknowledgement_of_coaching_or_of_other_commands(
        slack: SlackClient, standin: SlackStandIn, llm: LLMStandIn) -> None:
    llm.delay = 30
    open_deal(slack)
    results: list[Any] = []
    lock = threading.Lock()
    work: queue.Queue[int] = queue.Queue()
    for i in range(60):
        work.put(i)

    def client() -> None:
        while True:
            try:
                i = work.get_nowait()
            except queue.Empty:
                return
            if i % 3 == 0:
                done = coach(slack, f"stalled{i}")
            elif i % 3 == 1:
                done = timed(slack.command, "status acme", user=REP)
            else:
                done = timed(slack.command, f"concede acme cut 10 for logo {i}", user=REP)
            with lock:
                results.append((i, done))

    threads = [threading.Thread(target=client) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 60
    assert all(verdict_of(done.answer) for _, done in results)
    for i, done in results:
        if i % 3 == 0:
            assert OFFLINE in done.answer.text
    seconds = [done.seconds for _, done in results]
    llm.quiet(TIMEOUT)
    print(f"\nLLM stalled: 60 acks (20 coaching) p50 {percentile(seconds, 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(seconds, 0.95) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms")
    # No acknowledgement waited for the LLM: that would take the 30 s stall, or at least the LLM's time limit.
    assert max(seconds) < TIMEOUT


@pytest.mark.parametrize("fault", ["stalled", "rate-limited"])
def test_a_thread_message_gets_its_proposal_within_the_llm_timeout_whatever_the_llm_does(
        slack: SlackClient, standin: SlackStandIn, llm: LLMStandIn, fault: str) -> None:
    """A thread message has no acknowledgement to carry advice: its proposal waits for the LLM's reading,
    so the LLM's time limit is the rep's wait."""
    # The first call (reading the offer) meets the fault.
    if fault == "stalled":
        llm.stall_next(30)
    else:
        llm.fail_next(rate_limited(retry_after=3))
    open_deal(slack)
    slack.deliver()
    thread = standin.messages(CHANNEL, include_threads=False)[0].ts
    body = message_event("T0TEST", f"EvLLM{fault}", user=REP, channel=CHANNEL, thread_ts=thread,
                         ts=f"{float(thread) + 1:.6f}", text="they want another 15% off before signing")
    sent = time.monotonic()
    assert slack.event(body).status == 200

    def proposed() -> bool:
        slack.deliver()
        return any(m.thread_ts == thread and has_actions(m) for m in standin.ephemerals(REP))

    assert standin.wait_for(proposed, timeout=TIMEOUT + 3), "no proposal"
    waited = time.monotonic() - sent
    llm.quiet(TIMEOUT)
    assert waited < TIMEOUT + 1.0, f"the proposal took {waited:.1f} s"
