"""Statements run on the driver (`bot.db.prepared`) behave as SQLAlchemy's own execution would, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from conftest import TEAM
from sqlalchemy import bindparam, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.commands import parse_command
from bot.db.deals import DEAL
from bot.db.outbox import _ADD as _GUARDED_ADD
from bot.db.outbox import OUTBOX
from bot.db.prepared import Prepared, Runner, guard, prepare
from bot.services.access import Actor

_OUTBOX_BY_ID = select(OUTBOX.c.id, OUTBOX.c.created_at, OUTBOX.c.kind).where(OUTBOX.c.id == bindparam("row_id"))
_DEAL_HOURS = select(DEAL.c.hours, DEAL.c.updated_at).where(DEAL.c.id == bindparam("deal_id"))


def _outbox_values(moment: datetime) -> dict:
    return {"team_id": TEAM, "deal_id": None, "kind": "note", "channel_id": "C0DEALS", "payload": "{}",
            "response_url": None, "created_at": moment, "due_at": moment, "attempts": 0}


def test_a_moment_written_on_the_driver_reads_back_through_sqlalchemy_unchanged(container) -> None:
    moment = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)
    values = _outbox_values(moment)
    with container.engine.connect() as connection:
        Runner(connection).execute(prepare(insert(OUTBOX), connection.dialect, values), values)
        connection.commit()
        stored = connection.execute(select(OUTBOX.c.created_at)).scalar_one()
    assert stored.replace(tzinfo=UTC) == moment


def test_a_row_read_on_the_driver_has_the_types_sqlalchemy_gives(container) -> None:
    moment = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)
    with container.engine.connect() as connection:
        row_id = connection.execute(insert(OUTBOX).values(**_outbox_values(moment)).returning(OUTBOX.c.id)).scalar_one()
        connection.commit()
        through_sqlalchemy = connection.execute(_OUTBOX_BY_ID, {"row_id": row_id}).one()
        on_driver = Runner(connection).first(prepare(_OUTBOX_BY_ID, connection.dialect), {"row_id": row_id})
    assert tuple(on_driver) == tuple(through_sqlalchemy)
    assert on_driver.kind == "note" and isinstance(on_driver.created_at, datetime)


def test_a_numeric_column_reads_as_a_decimal_on_the_driver(container) -> None:
    container.services.deals.open(Actor(TEAM, "U0REP", "C0DEALS"), parse_command("new acme list=100k floor=80k"))
    with container.engine.connect() as connection:
        row = Runner(connection).first(prepare(_DEAL_HOURS, connection.dialect), {"deal_id": 1})
    assert row.hours == Decimal(0) and isinstance(row.hours, Decimal)


def test_a_driver_statement_is_part_of_the_connections_transaction(container) -> None:
    values = _outbox_values(datetime.now(UTC))
    with container.engine.connect() as connection:
        Runner(connection).execute(prepare(insert(OUTBOX), connection.dialect, values), values)
        connection.rollback()
        assert connection.execute(select(OUTBOX.c.id)).first() is None


def test_a_driver_error_comes_out_as_sqlalchemys_own_exception(container) -> None:
    values = {**_outbox_values(datetime.now(UTC)), "team_id": None}  # team_id is NOT NULL
    with container.engine.connect() as connection, pytest.raises(IntegrityError):
        Runner(connection).execute(prepare(insert(OUTBOX), connection.dialect, values), values)


def test_a_statement_is_compiled_once_per_database_and_set_of_columns(container) -> None:
    dialect = container.engine.dialect
    statement = insert(OUTBOX)
    first = prepare(statement, dialect, ["team_id", "kind"])
    assert prepare(statement, dialect, ["kind", "team_id"]) is first
    assert prepare(statement, dialect, ["team_id"]) is not first
    assert isinstance(first, Prepared) and "kind" in first.sql


def test_every_entry_of_one_move_is_stored_as_the_first_one_is(container) -> None:
    """A concession with its get is one INSERT of two rows; the second row's moment must be written in the same
    form as the first (on SQLite, the text SQLAlchemy writes; the driver's own form would differ)."""
    rep = Actor(TEAM, "U0REP", "C0DEALS")
    container.services.deals.open(rep, parse_command("new acme list=100k floor=80k"))
    container.services.deals.concede(rep, parse_command("concede acme 5% for a case study"))
    with container.engine.connect() as connection:
        stored = [row[0] for row in connection.exec_driver_sql("SELECT at FROM ledger_entry ORDER BY seq")]
    assert len(stored) == 2 and stored[0] == stored[1]


def test_statements_on_the_driver_are_seen_by_the_engines_statement_listeners(container) -> None:
    seen: list[str] = []

    def listener(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", listener)
    try:
        with container.engine.connect() as connection:
            Runner(connection).first(prepare(_OUTBOX_BY_ID, connection.dialect), {"row_id": 1})
    finally:
        event.remove(container.engine, "before_cursor_execute", listener)
    assert prepare(_OUTBOX_BY_ID, container.engine.dialect).sql in seen


def _statements_of(container, command: str) -> list[tuple[str, bool]]:
    """(SQL, whether the driver connection was in autocommit) of each statement one concession ran."""
    seen: list[tuple[str, bool]] = []

    def listener(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.append((statement, bool(getattr(conn.connection.driver_connection, "autocommit", False))))

    event.listen(container.engine, "before_cursor_execute", listener)
    try:
        container.services.deals.concede(Actor(TEAM, "U0REP", "C0DEALS"), parse_command(command))
    finally:
        event.remove(container.engine, "before_cursor_execute", listener)
    return seen


def test_on_postgresql_a_move_is_two_statements_in_autocommit_the_read_and_its_writes(container, backend) -> None:
    """No BEGIN or COMMIT round trips: the read sees what was committed, and the writes are one statement, which
    PostgreSQL commits on its own, all or nothing."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL batches writes; SQLite runs each at once (no round trips to save)")
    rep = Actor(TEAM, "U0REP", "C0DEALS")
    container.services.deals.open(rep, parse_command("new acme list=100k floor=80k"))
    container.services.deals.concede(rep, parse_command("concede acme 5% for a case study"))

    statements = _statements_of(container, "concede acme 2% for a logo")

    assert [sql.split()[0] for sql, _ in statements] == ["SELECT", "WITH"], statements
    assert statements[1][0].startswith("WITH w0 AS (UPDATE deal"), "the deal's update first: it guards the rest"
    assert all(autocommit for _, autocommit in statements)
    with container.engine.connect() as connection:
        entries = connection.exec_driver_sql("SELECT count(*) FROM ledger_entry").scalar_one()
        version = connection.exec_driver_sql("SELECT version FROM deal").scalar_one()
    assert entries == 4, "both moves' concessions and gets"
    assert version == 3, "the opening save and the two moves"


@contextmanager
def batch(runner: Runner) -> Iterator[None]:
    """The block's writes as one batch, as a unit of work sends a move's at its commit; dropped if the block raises."""
    runner.start_batch()
    try:
        yield
        runner.send_batch()
    finally:
        runner.drop_batch()


def test_in_a_guarded_batch_nothing_is_written_when_its_first_write_changes_no_row(container, backend) -> None:
    """The deal's update comes first; if someone saved the deal since it was read it changes nothing, and then
    neither do the entries and messages sent with it (on SQLite its check raises before they run)."""
    values = _outbox_values(datetime.now(UTC))
    with container.engine.connect() as connection:
        runner = Runner(connection)
        stale = prepare(update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id")).values(kind="card"),
                        connection.dialect)
        counts: list[int] = []

        def changed(rows: int) -> None:
            counts.append(rows)
            if not rows:
                raise LookupError("the deal changed")

        with pytest.raises(LookupError), batch(runner):
            runner.write(stale, {"row_id": 999_999}, check=changed, guards=True)
            runner.write(prepare(_GUARDED_ADD, connection.dialect), values)
        connection.commit()
        assert counts == [0]
        assert connection.execute(select(func.count()).select_from(OUTBOX)).scalar_one() == 0


def test_a_write_else_writes_the_second_only_when_the_first_changed_nothing(container) -> None:
    """As a thread note does: merged into the note still waiting, else queued on its own (in a batch too)."""
    values = _outbox_values(datetime.now(UTC))
    with container.engine.connect() as connection:
        runner = Runner(connection)
        add = prepare(_GUARDED_ADD, connection.dialect)
        runner.write(add, values)
        waiting = connection.execute(select(OUTBOX.c.id)).scalar_one()
        merge = prepare(update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id"), guard()).values(payload="merged"),
                        connection.dialect)
        with batch(runner):
            runner.write_else(merge, {"row_id": waiting}, add, values)  # merged: nothing added
            runner.write_else(merge, {"row_id": 999_999}, add, values)  # nothing to merge into: added
        connection.commit()
        payloads = connection.execute(select(OUTBOX.c.payload).order_by(OUTBOX.c.id)).scalars().all()
    assert payloads == ["merged", "{}"]


def test_writes_batched_in_a_block_that_raises_are_never_sent(container, backend) -> None:
    if backend != "postgresql":
        pytest.skip("only PostgreSQL batches; on SQLite a write runs at once and the rollback undoes it")
    values = _outbox_values(datetime.now(UTC))
    with container.engine.connect() as connection:
        runner = Runner(connection)
        with pytest.raises(RuntimeError), batch(runner):
            runner.write(prepare(insert(OUTBOX), connection.dialect, values), values)
            raise RuntimeError("the move failed after queuing its writes")
        connection.commit()  # what was queued never reached the server, so there is nothing to commit
        assert connection.execute(select(OUTBOX.c.id)).first() is None


def test_a_batched_writes_row_count_reaches_its_check_when_the_batch_is_sent(container) -> None:
    values = _outbox_values(datetime.now(UTC))
    counts: list[int] = []
    with container.engine.connect() as connection:
        runner = Runner(connection)
        insert_one = prepare(insert(OUTBOX).inline(), connection.dialect, values)
        merge_none = prepare(update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id")).values(kind="card"),
                             connection.dialect)
        with batch(runner):
            runner.write(insert_one, values, check=counts.append)
            runner.write(merge_none, {"row_id": 999_999}, check=counts.append)
        connection.commit()
        assert counts == [1, 0]
        assert connection.execute(select(func.count()).select_from(OUTBOX)).scalar_one() == 1


def test_a_write_a_check_makes_when_its_batch_is_sent_is_sent_too(container) -> None:
    """As a thread note does when the note it was to merge into was taken meanwhile: it is queued on its own."""
    values = _outbox_values(datetime.now(UTC))
    with container.engine.connect() as connection:
        runner = Runner(connection)
        insert_one = prepare(insert(OUTBOX).inline(), connection.dialect, values)
        merge_none = prepare(update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id")).values(kind="card"),
                             connection.dialect)

        def add_unless_merged(rows: int) -> None:
            if not rows:
                runner.write(insert_one, values)

        with batch(runner):
            runner.write(insert_one, values)
            runner.write(merge_none, {"row_id": 999_999}, check=add_unless_merged)
        connection.commit()
        assert connection.execute(select(func.count()).select_from(OUTBOX)).scalar_one() == 2
