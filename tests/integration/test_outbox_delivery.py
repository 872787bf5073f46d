"""The outbox: what a command commits reaches Slack once, through rate limits, outages, refusals, restarts and
several workers draining the same database."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ALERTS, CHANNEL, REP, TEAM
from slack_client import SlackClient
from sqlmodel import Session, col, select

from bot.bootstrap import Container, build
from bot.commands import parse_command
from bot.config import Settings
from bot.db.engine import session_factory
from bot.db.tables import OutboxRow
from bot.delivery.queue import CLAIM_SECONDS, OutboxQueue
from bot.delivery.worker import OutboxWorker
from bot.services.access import Actor
from bot.slack.clients import WorkspaceClients
from bot.standin import Message, SlackStandIn

POST = "chat.postMessage"


# Helpers ---------------------------------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand, so retries fall due without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def worker_with_clock(container: Container, clock: Clock) -> OutboxWorker:
    """The container's worker as the app builds it, but reading the given clock."""
    return OutboxWorker(OutboxQueue(session_factory(container.engine), pace_seconds=0), container.uow,
                        WorkspaceClients(container.settings), clock=clock)


@pytest.fixture
def second_container(settings: Settings) -> Iterator[Callable[[], Container]]:
    """Builds more containers on the test's database (another process, or the same one after a restart)."""
    built: list[Container] = []

    def make() -> Container:
        built.append(build(settings, pace_seconds=0))
        return built[-1]

    yield make
    for container in built:
        container.close()


def rows(container: Container) -> list[OutboxRow]:
    with Session(container.engine) as session:
        return list(session.exec(select(OutboxRow).order_by(col(OutboxRow.id))).all())


def card_rows(container: Container) -> list[OutboxRow]:
    return [row for row in rows(container) if row.kind == "card"]


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the app stores UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def cards(standin: SlackStandIn, channel: str = CHANNEL) -> list[Message]:
    """Top-level messages in the deals channel: the deal cards."""
    return standin.messages(channel, include_threads=False)


def is_pending(row: OutboxRow) -> bool:
    return row.delivered_at is None and row.failed_at is None


# Rate limits and outages ----------------------------------------------------------------------------


def test_a_card_queued_while_slack_answers_429_waits_for_retry_after_then_is_delivered_once(
        slack: SlackClient, container: Container, standin: SlackStandIn) -> None:
    standin.fail_next(POST, status=429, retry_after=1)
    assert slack.command("new acme list=120k floor=90k", user=REP).status == 200
    clock = Clock()
    worker = worker_with_clock(container, clock)

    worker.drain()
    (card,) = card_rows(container)
    assert is_pending(card), "a rate-limited card must stay in the outbox"
    assert aware(card.due_at) >= clock.now + timedelta(seconds=1), "not due again before Retry-After"
    assert cards(standin) == []
    assert len(standin.calls_to(POST)) == 1

    worker.drain()  # nothing is due before the retry time
    assert len(standin.calls_to(POST)) == 1

    clock.advance(1.1)
    worker.drain()
    worker.drain()
    (card,) = card_rows(container)
    assert card.delivered_at is not None
    assert len(cards(standin)) == 1
    assert len(standin.calls_to(POST)) == 2


def test_a_card_queued_while_slack_answers_429_is_delivered_by_the_real_worker_after_waiting(
        slack: SlackClient, container: Container, standin: SlackStandIn) -> None:
    """The same rule in real time, with the container's own background worker."""
    standin.fail_next(POST, status=429, retry_after=1)
    slack.command("new acme list=120k floor=90k", user=REP)
    container.worker.start()
    assert standin.wait_for(lambda: cards(standin), timeout=6), "the card never arrived after the rate limit"
    container.worker.stop()
    assert len(cards(standin)) == 1
    assert card_rows(container)[0].attempts == 2


def test_a_500_from_slack_is_retried_with_growing_backoff_until_delivered(
        slack: SlackClient, container: Container, standin: SlackStandIn) -> None:
    standin.fail_next(POST, status=500, count=2)
    slack.command("new acme list=120k floor=90k", user=REP)
    clock = Clock()
    worker = worker_with_clock(container, clock)

    delays = []
    for _ in range(2):
        failed_at = clock.now
        worker.drain()
        (card,) = card_rows(container)
        assert is_pending(card)
        assert card.last_error and "500" in card.last_error
        delays.append((aware(card.due_at) - failed_at).total_seconds())
        clock.now = aware(card.due_at)
    assert 0 < delays[0] < delays[1], f"the wait should grow between attempts, got {delays}"

    worker.drain()
    (card,) = card_rows(container)
    assert card.delivered_at is not None and card.attempts == 3
    assert len(cards(standin)) == 1


# Refusals -------------------------------------------------------------------------------------------


def test_a_permanent_slack_error_fails_the_card_and_tells_the_rep_through_the_response_url(
        slack: SlackClient, container: Container, standin: SlackStandIn) -> None:
    standin.fail_next(POST, status=200, error="channel_not_found")
    slack.command("new acme list=120k floor=90k", user=REP)
    clock = Clock()
    worker = worker_with_clock(container, clock)

    worker.drain()
    (card,) = card_rows(container)
    assert card.failed_at is not None and card.delivered_at is None
    assert card.last_error == "channel_not_found"
    told = standin.responses("r1")  # the response_url of the `/deal new` that queued the card
    assert len(told) == 1
    # Slack's reason in words, not its error code.
    assert "acme" in told[0]["text"] and "Slack could not find it" in told[0]["text"]
    assert "channel_not_found" not in told[0]["text"]
    assert told[0].get("response_type", "ephemeral") == "ephemeral"

    clock.advance(3600)
    worker.drain()
    assert len(standin.calls_to(POST)) == 1, "a permanent error is not retried"
    assert cards(standin) == []


def test_after_a_card_failed_for_good_the_next_change_brings_a_new_card(
        slack: SlackClient, container: Container, standin: SlackStandIn) -> None:
    """The rep is told to invite the bot "to get a card and a deal thread"; once they have, the next change
    must post one, not wait forever behind the failed row."""
    standin.fail_next(POST, status=200, error="not_in_channel")
    slack.command("new acme list=120k floor=90k", user=REP)
    slack.deliver()
    assert card_rows(container)[0].failed_at is not None

    slack.command("concede acme 5% for a two-year term", user=REP)  # the bot has been invited meanwhile
    slack.deliver()
    assert len(cards(standin)) == 1, "no card was queued after the failed one"


def test_an_alert_slack_refuses_for_good_is_marked_failed_and_not_retried(
        slack: SlackClient, container: Container, standin: SlackStandIn) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.deliver()
    standin.fail_next(POST, status=200, error="channel_not_found", count=5)
    slack.command("concede acme 25%", user=REP)
    clock = Clock()
    worker = worker_with_clock(container, clock)
    worker.drain()
    alert = next(row for row in rows(container) if row.kind == "alert")
    assert alert.failed_at is not None and alert.last_error == "channel_not_found"
    calls = len(standin.calls_to(POST))
    clock.advance(3600)
    worker.drain()
    assert len(standin.calls_to(POST)) == calls
    assert standin.messages(ALERTS) == []


# Restarts -------------------------------------------------------------------------------------------


def test_messages_committed_before_a_restart_are_delivered_once_by_the_next_process(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        second_container: Callable[[], Container]) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 25% for a logo", user=REP)
    queued = rows(container)
    assert queued and all(is_pending(row) for row in queued)
    container.close()  # the process stops before its worker ran

    second_container().worker.drain()
    second_container().worker.drain()  # and another restart changes nothing

    assert all(row.delivered_at is not None for row in rows(container))
    (card,) = cards(standin)
    assert len(standin.messages(CHANNEL, thread_ts=card.ts)) == 1
    assert len(standin.messages(ALERTS)) == 1


def test_a_message_claimed_by_a_process_that_died_is_delivered_once_after_the_claim_expires(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        second_container: Callable[[], Container]) -> None:
    slack.command("new acme list=120k floor=90k", user=REP)
    claimed = OutboxQueue(session_factory(container.engine)).claim(datetime.now(UTC))
    assert [job.kind for job in claimed] == ["card"]
    container.close()  # died between claiming and posting

    clock = Clock()
    survivor = worker_with_clock(second_container(), clock)
    survivor.drain()
    assert cards(standin) == [], "a live claim belongs to its process"
    clock.advance(CLAIM_SECONDS + 1)
    survivor.drain()
    survivor.drain()
    assert len(cards(standin)) == 1
    assert card_rows(container)[0].delivered_at is not None


# Several workers ------------------------------------------------------------------------------------


def drain_together(workers: list[OutboxWorker]) -> None:
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(worker: OutboxWorker) -> None:
        try:
            barrier.wait()
            worker.drain(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


def test_two_workers_draining_the_same_database_deliver_each_message_exactly_once(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        second_container: Callable[[], Container]) -> None:
    names = [f"deal{i}" for i in range(12)]
    for name in names:
        slack.command(f"new {name} list=100k floor=60k", user=REP)
        slack.command(f"concede {name} 25% for a logo", user=REP)
    queued = rows(container)
    standin.delay(POST, 0.01)  # each post takes a moment, as Slack's do, so the workers overlap

    drain_together([container.worker, second_container().worker])

    assert all(row.delivered_at is not None for row in rows(container))
    top = cards(standin)
    assert len(top) == len(names), f"{len(top)} cards for {len(names)} deals"
    for card in top:
        assert len(standin.messages(CHANNEL, thread_ts=card.ts)) == 1
    assert len(standin.messages(ALERTS)) == len(names)
    posts = Counter((call.params.get("channel"), call.params.get("thread_ts"), str(call.params.get("text")))
                    for call in standin.calls_to(POST))
    assert max(posts.values()) == 1, f"posted twice: {[key for key, n in posts.items() if n > 1]}"
    notes_and_alerts = sum(1 for row in queued if row.kind in ("note", "alert"))
    assert len(standin.calls_to(POST)) == notes_and_alerts + len(names)


def test_a_change_committed_while_its_card_is_being_posted_does_not_bring_a_second_card(
        slack: SlackClient, container: Container, standin: SlackStandIn,
        second_container: Callable[[], Container]) -> None:
    """Two `serve` processes each run a worker: one is mid-way through posting the new card when the rep
    concedes; the other must not post the deal's card a second time."""
    slack.command("new acme list=120k floor=90k", user=REP)
    standin.delay(POST, 1.0)
    first = threading.Thread(target=container.worker.drain)
    first.start()
    assert standin.wait_for(lambda: standin.calls_to(POST), timeout=5)  # the card post is under way
    slack.command("concede acme 5% for a two-year term", user=REP)
    standin.delay(POST, 0)
    second_container().worker.drain()
    first.join(30)
    container.worker.drain()

    assert len(cards(standin)) == 1, "the deal's card was posted twice"


# No transaction around a call to Slack -------------------------------------------------------------------


def test_a_move_is_not_held_up_while_the_worker_asks_slack_about_a_channel(container, standin) -> None:
    """Before a deal's first card the worker asks Slack whether the channel is shared with another organisation.
    The call may take seconds; asked inside a transaction, it held SQLite's write lock, and every request's
    write waited for Slack."""
    rep = Actor(TEAM, REP, CHANNEL)
    container.services.deals.open(rep, parse_command("new acme list=100k floor=70k"))  # queues the card
    standin.delay("conversations.info", 1.5)
    worker = threading.Thread(target=container.worker.drain)
    worker.start()
    try:
        assert standin.wait_for(lambda: standin.calls_to("conversations.info"), timeout=3)
        started = time.monotonic()
        container.services.deals.concede(rep, parse_command("concede acme 5% for a case study"))
        took = time.monotonic() - started
    finally:
        worker.join(10)
        standin.delay("conversations.info", 0)
    assert took < 0.5, f"the concession waited {took:.2f} s for Slack's answer"
    assert len(cards(standin)) == 1
