"""Slack's Web API misbehaving while the outbox delivers: 429 with Retry-After, 5xx, transient `ok: false`
errors and calls that hang past the client's timeout. Every message is delivered, once, after waits that
respect Retry-After and back off between attempts; two workers (two processes) share the work.

The workers are the app's own (`OutboxWorker` background loops over the real queue, real HTTP to the
stand-in) with one change: their clock runs 20 times fast, so minutes of backoff take seconds. The claim a
worker holds on a message (60 s of that clock) still outlives any attempt (a 1 s client timeout here).
(tests/integration/test_outbox_delivery.py covers single faults step by step with a hand-moved clock.)"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ALERTS, CHANNEL, REP
from slack_client import SlackClient
from sqlalchemy import event
from sqlmodel import Session, col, select

from bot.bootstrap import Container, build
from bot.config import Settings
from bot.db.engine import session_factory
from bot.db.tables import OutboxRow
from bot.delivery.queue import OutboxQueue
from bot.delivery.worker import OutboxWorker
from bot.slack.clients import WorkspaceClients
from bot.standin import Call, SlackStandIn

POST = "chat.postMessage"
SPEED = 20  # the workers' clock runs this many times faster than the wall clock
CLIENT_TIMEOUT = 1  # seconds: a stalled call is given up after this
DEALS = 6


class FastClock:
    """UTC now, running `speed` times faster than the wall clock from the moment it is made."""

    def __init__(self, speed: float) -> None:
        self._start, self._t0, self._speed = datetime.now(UTC), time.monotonic(), speed

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self._speed)


@pytest.fixture
def workers(settings: Settings, container: Container) -> Iterator[Callable[..., list[OutboxWorker]]]:
    """Starts two background workers on the test's database, as two `serve` processes would run them."""
    started: list[OutboxWorker] = []
    extra: list[Container] = []

    def start(speed: float = SPEED) -> list[OutboxWorker]:
        clock = FastClock(speed)
        for built in (container, build(settings, pace_seconds=0)):
            if built is not container:
                extra.append(built)
            worker = OutboxWorker(OutboxQueue(session_factory(built.engine)), built.uow,
                                  WorkspaceClients(settings, timeout=CLIENT_TIMEOUT),
                                  clock=clock, poll_seconds=0.02)
            worker.start()
            started.append(worker)
        return started

    yield start
    for worker in started:
        worker.stop()
    for built in extra:
        built.close()


def outbox(container: Container) -> list[OutboxRow]:
    with Session(container.engine) as session:
        return list(session.exec(select(OutboxRow).order_by(col(OutboxRow.id))).all())


def queue_cards_notes_and_alerts(slack: SlackClient) -> None:
    for n in range(DEALS):
        slack.command(f"new deal{n} list=100k floor=60k", user=REP)
        slack.command(f"concede deal{n} 25% for a logo", user=REP)  # a thread note, and an alert (cap)


def attempts_by_message(calls: list[Call]) -> dict[tuple, list[Call]]:
    found: dict[tuple, list[Call]] = defaultdict(list)
    for call in calls:
        found[(call.params.get("channel"), call.params.get("thread_ts"), str(call.params.get("text")))].append(call)
    return found


def wait_delivered(container: Container, standin: SlackStandIn, timeout: float = 30) -> float:
    started = time.monotonic()
    assert standin.wait_for(lambda: all(r.delivered_at is not None for r in outbox(container)), timeout=timeout), \
        [(r.kind, r.attempts, r.last_error, r.failed_at) for r in outbox(container) if r.delivered_at is None]
    return time.monotonic() - started


def test_through_429s_5xxs_errors_and_hung_calls_every_message_reaches_slack_exactly_once_with_backoff(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        workers: Callable[..., list[OutboxWorker]]) -> None:
    queue_cards_notes_and_alerts(slack)
    queued = outbox(container)
    standin.fail_next(POST, status=429, retry_after=3, count=2)
    standin.fail_next(POST, status=500, count=2)
    standin.fail_next(POST, status=200, error="internal_error")  # Slack's transient ok:false
    standin.stall_next(POST, CLIENT_TIMEOUT + 0.5)  # hung, and not carried out
    standin.fail_next(POST, status=503)
    scripted = 2 + 2 + 1 + 1 + 1

    workers()
    took = wait_delivered(container, standin)
    time.sleep(0.5)  # a second worker's late duplicate would show by now

    rows = outbox(container)
    assert len(rows) == len(queued) and not [r for r in rows if r.failed_at is not None]
    cards = standin.messages(CHANNEL, include_threads=False)
    assert Counter(c.blocks[0]["text"]["text"].split("*")[1] for c in cards) == {f"deal{n}": 1 for n in range(DEALS)}
    alerts = standin.messages(ALERTS)
    assert sorted(a.text for a in alerts) == sorted(f"Alert on deal{n}: cap" for n in range(DEALS))
    for card in cards:
        assert len(standin.messages(CHANNEL, thread_ts=card.ts)) == 1, "one note in each deal's thread"

    posts = standin.calls_to(POST)
    faulted = [call for call in posts if call.fault]
    assert len(faulted) == scripted, [c.fault for c in posts]
    for message, attempts in attempts_by_message(posts).items():
        seen = [(c.fault, round((c.at - attempts[0].at) * SPEED, 1)) for c in attempts]
        assert [c.fault for c in attempts[:-1]] == [c.fault for c in attempts if c.fault], \
            f"{message[2][:40]} went out twice: {seen}"
        errors = 0  # a rate limit is no error: it waits its Retry-After and leaves the backoff where it was
        for failed, retry in zip(attempts, attempts[1:], strict=False):
            waited = (retry.at - failed.at) * SPEED
            if failed.fault == "429":
                assert waited >= 3 * 0.95, f"retried {waited:.2f} s after a 429 with Retry-After 3: {seen}"
                continue
            errors += 1
            backoff = 2 ** errors  # 2, 4, 8 s: each error on a message waits twice the one before
            # Lower bounds only: a loaded machine delays a retry, never hastens one.
            if (failed.fault or "").startswith("stall"):  # the backoff counts from the timeout, not the attempt's start
                assert waited >= CLIENT_TIMEOUT * SPEED + backoff * 0.95, f"retried {waited:.2f} s after a hang: {seen}"
            else:
                assert waited >= backoff * 0.95, f"retried {waited:.2f} s after {failed.fault}: {seen}"
    print(f"\nSlack 429x2 (Retry-After 3 s), 500x2, ok:false x1, hung x1, 503x1 across {len(queued)} messages "
          f"and 2 workers: all delivered once, {len(posts)} posts, in {took:.1f} s at {SPEED}x time")


def test_after_a_call_hangs_past_the_client_timeout_the_backoff_counts_from_the_timeout(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        workers: Callable[..., list[OutboxWorker]]) -> None:
    """A hung first attempt backs off 2 s from the moment it timed out (with the 10 s timeout of production,
    counting from the attempt's start would retry at once). The clock runs 4x here: 2 s is 0.5 s."""
    speed = 4
    slack.command("new hung list=100k floor=60k", user=REP)
    standin.stall_next(POST, CLIENT_TIMEOUT + 0.5)
    workers(speed)
    wait_delivered(container, standin)
    hung, retried = standin.calls_to(POST)
    assert hung.fault == "stall 1.5s" and retried.fault is None
    assert retried.at - hung.at >= CLIENT_TIMEOUT + 0.9 * 2 / speed, f"retried {retried.at - hung.at:.2f} s later"
    assert len(standin.messages(CHANNEL, include_threads=False)) == 1


def test_a_message_retried_after_a_timeout_is_not_lost_even_if_slack_had_posted_it(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        workers: Callable[..., list[OutboxWorker]]) -> None:
    """Slack has no idempotency key for chat.postMessage: when it posts a message but its answer never
    arrives, the worker cannot know and posts again. The README's "at most once" has this exception too;
    the rule proved here is the other half: nothing is lost."""
    slack.command("new late list=100k floor=60k", user=REP)
    standin.stall_next(POST, CLIENT_TIMEOUT + 0.5, carried_out=True)
    workers()
    wait_delivered(container, standin)
    time.sleep(CLIENT_TIMEOUT + 0.5)
    cards = standin.messages(CHANNEL, include_threads=False)
    assert 1 <= len(cards) <= 2
    assert len(cards) == 2, "if this now posts once, the worker learned to detect it: update the README"


def test_a_long_rate_limit_does_not_use_up_the_attempts_a_message_has_for_errors(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        workers: Callable[..., list[OutboxWorker]]) -> None:
    """A 429 says nothing about the message: after a long rate-limit episode (15 refusals in a row) a single
    500 must still be retried, not end the message's 12 attempts for errors."""
    slack.command("new patient list=100k floor=60k", user=REP)
    standin.fail_next(POST, status=429, retry_after=1, count=15)
    standin.fail_next(POST, status=500)
    workers()
    assert standin.wait_for(lambda: all(r.delivered_at is not None or r.failed_at is not None
                                        for r in outbox(container)), timeout=20)
    (card,) = outbox(container)
    assert card.delivered_at is not None, f"lost after {card.attempts} attempts: {card.last_error}"
    assert len(standin.messages(CHANNEL, include_threads=False)) == 1


def test_a_message_another_worker_put_off_after_this_one_selected_it_is_not_claimed_before_it_is_due(
        slack: SlackClient, settings: Settings, container: Container) -> None:
    """Two workers: this one selects the card; before it claims it, the other claims it, is answered 429
    and puts it off by Retry-After. This worker's claim must not then take it and post it at once."""
    slack.command("new raced list=100k floor=60k", user=REP)
    other = build(settings, pace_seconds=0)  # another process, its own engine
    now = datetime.now(UTC)
    put_off: list[int] = []

    def between_select_and_claim(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM outbox" in statement and not put_off:
            queue = OutboxQueue(session_factory(other.engine))
            (job,) = queue.claim(now)
            queue.retry_at(job, now + timedelta(seconds=30), "ratelimited")
            put_off.append(job.id)

    event.listen(container.engine, "after_cursor_execute", between_select_and_claim)
    try:
        claimed = OutboxQueue(session_factory(container.engine)).claim(now)
    finally:
        event.remove(container.engine, "after_cursor_execute", between_select_and_claim)
        other.close()
    assert put_off, "the other worker should have claimed the card in between"
    assert claimed == [], "claimed a message that is not due for another 30 s"
