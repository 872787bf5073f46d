"""Scheduled digests and nudges: due when the policy says, exactly once per recipient and period."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ALERTS, MANAGER, REP, make_settings, postgres_base_url
from sqlalchemy import event, text

from bot.bootstrap import build
from bot.db.engine import session_factory
from bot.jobs.lock import SchedulerLock
from bot.services.digests import DigestService

MONDAY_10_UTC = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def digests(container, now: datetime = MONDAY_10_UTC) -> DigestService:  # noqa: ANN001
    return DigestService(container.uow, session_factory(container.engine),
                         settings_managers=frozenset({MANAGER}), clock=lambda: now)


def outbox(container, kind: str) -> list[tuple]:  # noqa: ANN001
    with container.engine.connect() as connection:
        return list(connection.execute(text("SELECT channel_id, payload FROM outbox WHERE kind = :k ORDER BY id"),
                                       {"k": kind}))


def test_the_weekly_digest_goes_to_each_manager_and_the_digest_channel_once(slack, container, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command(f"policy digest_day=mon digest_hour=9 digest_channel=<#{ALERTS}|alerts>", user=MANAGER)
    assert digests(container).queue_due_digests() == 2
    assert digests(container).queue_due_digests() == 0, "a second sweep sends nothing again"
    assert sorted(row[0] for row in outbox(container, "digest")) == sorted([MANAGER, ALERTS])
    slack.deliver()
    dm = [m for m in standin.calls_to("chat.postMessage") if m.params["channel"] == MANAGER]
    assert len(dm) == 1 and "Deal Coach: last week" in dm[0].params["text"]


def test_no_digest_before_the_policys_day_and_hour(slack, container) -> None:
    slack.command("policy digest_day=mon digest_hour=11", user=MANAGER)
    assert digests(container, MONDAY_10_UTC).queue_due_digests() == 0
    assert digests(container, MONDAY_10_UTC + timedelta(hours=1)).queue_due_digests() == 1


def test_a_scheduler_that_was_down_sends_the_digest_later_that_week(slack, container) -> None:
    slack.command("policy digest_day=mon digest_hour=9", user=MANAGER)
    assert digests(container, MONDAY_10_UTC + timedelta(days=3)).queue_due_digests() == 1


def test_the_digest_reports_the_last_whole_week(slack, container, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 5%", user=REP)
    last_week = MONDAY_10_UTC - timedelta(days=3)
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entry SET at = :at"), {"at": last_week})
        connection.execute(text("UPDATE deal SET created_at = :at, updated_at = :at"), {"at": last_week})
    slack.command("policy digest_day=mon digest_hour=9", user=MANAGER)
    digests(container).queue_due_digests()
    slack.deliver()
    text_sent = next(c.params["text"] for c in standin.calls_to("chat.postMessage") if c.params["channel"] == MANAGER)
    assert "opened 1 deal and gave 1 concession last week" in text_sent
    assert "than the week before (0)" in text_sent


def test_a_sweep_that_finds_nothing_due_neither_waits_for_the_write_lock_nor_rolls_back(
        slack, container, backend) -> None:
    """Every minute each workspace is swept, and most sweeps find nothing due: they must not queue behind the
    requests' writers for SQLite's write lock, nor end in a rollback (on PostgreSQL a rollback costs the
    connection every statement psycopg prepared on it)."""
    slack.command("new acme list=100k floor=60k", user=REP)  # not idle
    slack.command("policy digest_day=mon digest_hour=11", user=MANAGER)  # not due at 10
    rollbacks: list[object] = []

    def rolled_back(connection) -> None:  # noqa: ANN001
        rollbacks.append(connection)

    writer = None
    if backend == "sqlite":  # another process holds the write lock for the whole sweep
        writer = sqlite3.connect(container.engine.url.database, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
    event.listen(container.engine, "rollback", rolled_back)
    try:
        assert digests(container).queue_due_digests() == 0
        assert digests(container).queue_nudges() == 0
    finally:
        event.remove(container.engine, "rollback", rolled_back)
        if writer is not None:
            writer.rollback()
            writer.close()
    assert rollbacks == []


def test_a_rep_is_nudged_once_about_an_idle_deal_and_again_after_it_idles_anew(slack, container) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    idle = datetime.now(UTC) - timedelta(days=10)
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE deal SET updated_at = :at"), {"at": idle})
    now = datetime.now(UTC)
    assert digests(container, now).queue_nudges() == 1
    assert digests(container, now).queue_nudges() == 0
    assert outbox(container, "nudge")[0][0] == REP

    slack.command("hours acme 1", user=REP)
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE deal SET updated_at = :at"), {"at": idle + timedelta(days=1)})
    assert digests(container, now).queue_nudges() == 1


def test_two_schedulers_racing_on_one_database_queue_one_digest_per_manager(
        slack, container, standin, database_url) -> None:
    slack.command("policy digest_day=mon digest_hour=9", user=MANAGER)
    other = build(make_settings(standin, database_url), pace_seconds=0)
    try:
        results = [digests(container).queue_due_digests(), digests(other).queue_due_digests()]
    finally:
        other.close()
    assert sorted(results) == [0, 1]
    assert len(outbox(container, "digest")) == 1


def test_only_one_process_holds_the_scheduler_lock(container, standin, database_url) -> None:
    other = build(make_settings(standin, database_url), pace_seconds=0)
    first, second = SchedulerLock(container.engine), SchedulerLock(other.engine)
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        first.release()
        assert second.try_acquire() is True
    finally:
        first.release()
        second.release()
        other.close()


@pytest.mark.skipif(postgres_base_url() is None, reason="needs PostgreSQL: set DEALCOACH_TEST_POSTGRES_URL")
def test_on_postgresql_the_lock_is_an_advisory_lock_released_with_its_session(container, standin, database_url) -> None:
    lock = SchedulerLock(container.engine)
    assert lock.try_acquire()
    with container.engine.connect() as connection:
        held = connection.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
    assert held >= 1
    lock.release()
