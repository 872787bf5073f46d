"""What the outbox worker may claim: each channel's oldest waiting message, once it is due and the channel has
rested, and finding it costs the same however many messages wait behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import TEAM
from sqlalchemy import event, insert, text, update
from sqlalchemy.exc import OperationalError

from bot.db.engine import make_engine, session_factory
from bot.db.tables import OutboxRow, table_of
from bot.delivery.queue import OutboxQueue

OUTBOX = table_of(OutboxRow)
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
PACE = timedelta(seconds=1)


def queue_messages(container, *channels: str, due: datetime = NOW, **values) -> list[int]:
    """One waiting message per channel named, in that order; their ids."""
    rows = [{"team_id": TEAM, "deal_id": None, "kind": "note", "channel_id": channel, "payload": "{}",
             "created_at": NOW, "due_at": due, "attempts": 0, **values} for channel in channels]
    with container.engine.begin() as connection:
        connection.execute(text("INSERT INTO workspace (team_id, created_at, updated_at) VALUES (:t, :n, :n) "
                                "ON CONFLICT DO NOTHING"), {"t": TEAM, "n": NOW})
        before = connection.execute(text("SELECT coalesce(max(id), 0) FROM outbox")).scalar_one()
        connection.execute(insert(OUTBOX), rows)
    return list(range(before + 1, before + 1 + len(rows)))


def change(container, row_id: int, **values) -> None:
    with container.engine.begin() as connection:
        connection.execute(update(OUTBOX).where(OUTBOX.c.id == row_id).values(**values))


def claim(container, now: datetime = NOW) -> list[tuple[str, int]]:
    """(channel, id) of what one claim takes, in the order it takes them."""
    queue = OutboxQueue(session_factory(container.engine), pace_seconds=PACE.total_seconds())
    return [(job.channel_id, job.id) for job in queue.claim(now)]


def test_each_channel_gives_its_oldest_waiting_message_and_only_that_one(container) -> None:
    ids = queue_messages(container, "C1", "C2", "C1", "C3", "C2")
    assert claim(container) == [("C1", ids[0]), ("C2", ids[1]), ("C3", ids[3])]


def test_a_channel_posted_to_within_the_pace_gives_nothing_until_it_has_rested(container) -> None:
    posted, waiting = queue_messages(container, "C1", "C1")
    change(container, posted, delivered_at=NOW - timedelta(milliseconds=300))
    other = queue_messages(container, "C2")[0]
    assert claim(container) == [("C2", other)]
    assert claim(container, NOW + PACE) == [("C1", waiting)]


def test_a_message_put_off_holds_back_the_messages_after_it_in_its_channel_only(container) -> None:
    later, behind, elsewhere = queue_messages(container, "C1", "C1", "C2")
    change(container, later, due_at=NOW + timedelta(seconds=30))  # a 429's Retry-After, say
    assert claim(container) == [("C2", elsewhere)]
    assert claim(container, NOW + timedelta(seconds=31)) == [("C1", later)]
    assert behind not in [row_id for _, row_id in claim(container, NOW + timedelta(seconds=32))]


def test_a_message_being_posted_holds_back_its_channel_until_it_is_done(container) -> None:
    first, second = queue_messages(container, "C1", "C1")
    assert claim(container) == [("C1", first)]
    assert claim(container) == [], "the first is claimed and not yet posted"
    change(container, first, delivered_at=NOW, claimed_until=None)
    assert claim(container, NOW + PACE) == [("C1", second)]


def test_failed_and_delivered_messages_do_not_hold_back_their_channel(container) -> None:
    failed, delivered, waiting = queue_messages(container, "C1", "C1", "C1")
    change(container, failed, failed_at=NOW - timedelta(hours=1))
    change(container, delivered, delivered_at=NOW - timedelta(hours=1))
    assert claim(container) == [("C1", waiting)]


def rows_read(plan: dict) -> int:
    """Rows PostgreSQL's plan nodes read from the outbox, all loops counted (EXPLAIN ANALYZE, JSON)."""
    own = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1) if plan.get("Relation Name") == "outbox" else 0
    return own + sum(rows_read(child) for child in plan.get("Plans", []))


def test_finding_what_to_claim_never_reads_the_whole_backlog(container, backend) -> None:
    """A busy channel paced at a message a second gathers thousands; each claim must find its oldest by index,
    not by looking at every message waiting."""
    queue_messages(container, *(["C1"] * 3000 + ["C2"] * 2000))
    reads: list[str | int] = []

    def explain(conn, _cursor, statement, parameters, _context, _many) -> None:
        if not statement.lstrip().startswith(("SELECT", "WITH")) or "outbox" not in statement:
            return
        driver = conn.connection.driver_connection
        if backend == "sqlite":  # its plan says SCAN for a read of every row, SEARCH for an index seek
            reads.extend(row[-1] for row in driver.execute("EXPLAIN QUERY PLAN " + statement, parameters))
        else:
            plan = driver.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).fetchone()[0]
            reads.append(rows_read(plan[0]["Plan"]))

    with container.engine.begin() as connection:
        if backend == "postgresql":
            connection.execute(text("ANALYZE outbox"))
    event.listen(container.engine, "before_cursor_execute", explain)
    try:
        claimed = claim(container)
    finally:
        event.remove(container.engine, "before_cursor_execute", explain)
    assert [channel for channel, _ in claimed] == ["C1", "C2"]
    assert reads, "the claim's reads were explained"
    if backend == "sqlite":
        assert not [step for step in reads if str(step).startswith("SCAN outbox")], reads
    else:
        assert sum(int(rows) for rows in reads) < 50, reads


def test_a_claim_that_finds_nothing_ends_its_read_without_a_rollback(container) -> None:
    """psycopg discards every statement it prepared on a connection when a transaction there rolls back; the
    worker claims many times a second, and each rollback made the next requests on that connection parse and
    plan their statements again."""
    rollbacks: list[object] = []

    def rolled_back(connection) -> None:
        rollbacks.append(connection)

    event.listen(container.engine, "rollback", rolled_back)
    try:
        assert claim(container) == []
        queue_messages(container, "C1")
        assert [channel for channel, _ in claim(container)] == ["C1"]
    finally:
        event.remove(container.engine, "rollback", rolled_back)
    assert rollbacks == []


def test_on_postgresql_a_connection_keeps_its_prepared_statements_across_claims(container, backend) -> None:
    if backend != "postgresql":
        pytest.skip("prepared statements are psycopg's")
    engine = make_engine(container.settings.database_url, pool_size=1, max_overflow=0)  # one connection, reused
    try:
        with engine.connect() as connection:
            for _ in range(6):  # psycopg prepares a statement at its fifth run on a connection
                connection.exec_driver_sql("SELECT count(*) FROM deal WHERE id = %(id)s", {"id": 1}).all()
            connection.commit()
        OutboxQueue(session_factory(engine)).claim(NOW)
        with engine.connect() as connection:
            prepared = connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar_one()
    finally:
        engine.dispose()
    assert prepared >= 1


class Reachable:
    """The queue's sessions, from the real database or, while `away`, from one that cannot be opened."""

    def __init__(self, container) -> None:  # noqa: ANN001
        self.away = False
        self._here = session_factory(container.engine)
        self.unreachable = make_engine("sqlite:////no/such/folder/outbox.db")
        self._gone = session_factory(self.unreachable)

    def __call__(self):  # noqa: ANN204
        return (self._gone if self.away else self._here)()


def test_an_outcome_the_database_could_not_take_is_written_before_the_next_claim(container) -> None:
    """A message posted while the database went away is marked sent as soon as it is back: not posted again when
    its claim runs out, and its channel not held back until then."""
    sent, behind = queue_messages(container, "C1", "C1")
    sessions = Reachable(container)
    queue = OutboxQueue(sessions, pace_seconds=0)  # type: ignore[arg-type]
    (job,) = queue.claim(NOW)
    sessions.away = True
    try:
        queue.done(job, NOW)  # the post went out; telling the database fails, and the worker goes on
        with pytest.raises(OperationalError):
            queue.claim(NOW)  # still away: nothing is claimed
    finally:
        sessions.away = False
        sessions.unreachable.dispose()
    assert [j.id for j in queue.claim(NOW + PACE)] == [behind], "the sent one is done; the next one goes"
    with container.engine.connect() as connection:
        delivered = connection.execute(text("SELECT delivered_at FROM outbox WHERE id = :i"), {"i": sent}).scalar()
    assert delivered is not None
