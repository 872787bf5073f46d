"""The migrations build exactly the models' schema, undo cleanly, and can run from several processes at
once. SQLite always; PostgreSQL too when DEALCOACH_TEST_POSTGRES_URL is set (each test gets a fresh, empty
database)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest import PG_ENV, create_postgres_database, drop_postgres_database, postgres_base_url
from processes import child_env
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import bot.db.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from bot.db.engine import make_engine
from bot.db.migrate import _migration_lock, alembic_config, upgrade

PROCESS_TIMEOUT = 60
MODEL_TABLES = sorted(SQLModel.metadata.tables)
# An install's state is issued at /slack/install, before anyone has said which workspace will install.
UNSCOPED = ("alembic_version", "oauth_state")


# Helpers ---------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip(f"needs PostgreSQL: set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/postgres to run it")
    url = create_postgres_database(base)
    try:
        yield url
    finally:
        drop_postgres_database(base, url)


def schema_drift(url: str) -> list[Any]:
    """What alembic's autogenerate would still change to make the database match the models ([] = nothing)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            # Server defaults are compared on PostgreSQL only: alembic's SQLite reflection reports a
            # DEFAULT '' column as changed even when the DDL is exactly the models' (a known false positive).
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "compare_server_default": connection.dialect.name == "postgresql",
            })
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def current_revisions(url: str) -> list[str]:
    """Every row of alembic_version (one per head; exactly one when the migrations are linear)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()


def head_revision(url: str) -> str:
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    assert len(heads) == 1, f"the migrations must have exactly one head, found {heads}"
    return heads[0]


def start_migrations(database_url: str, count: int, cwd: Path) -> list[subprocess.Popen[str]]:
    """`python -m bot migrate` started `count` times at once (cwd outside the repo so no .env is read)."""
    return [
        subprocess.Popen([sys.executable, "-m", "bot", "migrate"], cwd=cwd, env=child_env(DATABASE_URL=database_url),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]


def finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=PROCESS_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        results.append((process.returncode, out + err))
    return results


def waiting_for_the_lock(url: str, pids: list[int]) -> int:
    """How many of `pids` are queued on the migration lock the test holds (-1: cannot tell on this system)."""
    if url.startswith("sqlite"):
        try:
            # A process blocked in flock() shows in /proc/locks as a "->" line with its pid.
            lines = Path("/proc/locks").read_text().splitlines()
        except OSError:
            return -1
        rows = [line.split() for line in lines]
        waiting = {int(parts[parts.index("->") + 4]) for parts in rows if "->" in parts}
        return len(waiting & set(pids))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            # Advisory locks belong to one database, and each test has its own: every waiter here is a child.
            return int(connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )).scalar_one())
    finally:
        engine.dispose()


# The schema --------------------------------------------------------------------------------------------


def test_compare_metadata_sees_every_table_missing_from_an_empty_database(empty_database: str) -> None:
    """A guard for the tests below: an empty diff must mean "no drift", not "the comparison saw nothing"."""
    drift = schema_drift(empty_database)
    missing = {op[1].name for op in drift if isinstance(op, tuple) and op[0] == "add_table"}
    assert missing == set(MODEL_TABLES)


def test_upgrade_head_on_an_empty_database_gives_exactly_the_models_schema(empty_database: str) -> None:
    upgrade(empty_database)
    assert schema_drift(empty_database) == []
    assert table_names(empty_database) == {*MODEL_TABLES, "alembic_version"}
    assert current_revisions(empty_database) == [head_revision(empty_database)]


def test_upgrading_an_up_to_date_database_changes_nothing(empty_database: str) -> None:
    upgrade(empty_database)
    upgrade(empty_database)
    assert schema_drift(empty_database) == []
    assert current_revisions(empty_database) == [head_revision(empty_database)]


def test_downgrade_to_base_removes_every_table_and_upgrade_builds_them_again(empty_database: str) -> None:
    upgrade(empty_database)
    command.downgrade(alembic_config(empty_database), "base")
    assert table_names(empty_database) <= {"alembic_version"}
    if "alembic_version" in table_names(empty_database):
        assert current_revisions(empty_database) == []

    upgrade(empty_database)
    assert schema_drift(empty_database) == []
    assert current_revisions(empty_database) == [head_revision(empty_database)]


def test_upgrading_gives_deals_closed_before_an_ok_verdict_and_leaves_open_deals_as_judged(
        empty_database: str) -> None:
    """The rules judge open deals only (a closed deal shows its final state); deals closed under older code kept
    the live verdict of their last move."""
    command.upgrade(alembic_config(empty_database), "0006")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            now = datetime.now(UTC)
            connection.execute(text("INSERT INTO workspace (team_id, created_at, updated_at)"
                                    " VALUES ('T1', :now, :now)"), {"now": now})
            for stage in ("won", "walked", "lost", "open"):
                connection.execute(text(
                    "INSERT INTO deal (team_id, name, name_key, owner_id, channel_id, customer, currency, list_cents,"
                    " floor_cents, stage, hours, outcome_note, came_back, verdict, effective_cents,"
                    " concession_count, created_at, updated_at, version)"
                    " VALUES ('T1', :stage, :stage, 'U1', 'C1', '', 'USD', 10000000, 7000000, :stage, 0, '', :no,"
                    " 'PUSH BACK', 9000000, 2, :now, :now, 0)"), {"stage": stage, "no": False, "now": now})
        upgrade(empty_database)
        with engine.connect() as connection:
            verdicts = {name: verdict for name, verdict in connection.execute(text("SELECT name, verdict FROM deal"))}
    finally:
        engine.dispose()
    assert verdicts == {"won": "OK", "walked": "OK", "lost": "OK", "open": "PUSH BACK"}


def test_upgrading_backfills_each_deals_running_figures_from_its_whole_ledger(empty_database: str) -> None:
    """A deal's running figures (what the rules read instead of its ledger) are computed for existing deals by the
    same domain function as after an undo: here a cut with its get, an ask, a free item of unknown worth, a
    concession taken back, and an ask still open."""
    command.upgrade(alembic_config(empty_database), "0011")
    engine = make_engine(empty_database)
    entries = [  # seq, kind, type, worth, reciprocates, unqualified, taken back
        (1, "concession", "cut", 500_000, None, False, False),
        (2, "get", None, None, 1, False, False),
        (3, "ask", None, None, None, False, False),
        (4, "concession", "free", None, None, True, False),
        (5, "concession", "percent", 300_000, None, False, True),
        (6, "ask", None, None, None, False, False),
    ]
    try:
        with engine.begin() as connection:
            now = datetime.now(UTC)
            connection.execute(text("INSERT INTO workspace (team_id, created_at, updated_at)"
                                    " VALUES ('T1', :now, :now)"), {"now": now})
            for name in ("long", "empty"):
                connection.execute(text(
                    "INSERT INTO deal (team_id, name, name_key, owner_id, channel_id, customer, currency, list_cents,"
                    " floor_cents, stage, hours, outcome_note, came_back, verdict, effective_cents,"
                    " concession_count, created_at, updated_at, version)"
                    " VALUES ('T1', :name, :name, 'U1', 'C1', '', 'USD', 10000000, 7000000, 'open', 0, '', :no,"
                    " 'OK', 9500000, 2, :now, :now, 0)"), {"name": name, "no": False, "now": now})
            for seq, kind, kind_of, worth, answers, unqualified, taken_back in entries:
                connection.execute(text(
                    "INSERT INTO ledger_entry (deal_id, team_id, seq, kind, by_user, at, text, concession_type,"
                    " worth_cents, reciprocates, unqualified, ethics_markers, taken_back_at, worth_estimated)"
                    " VALUES (1, 'T1', :seq, :kind, 'U1', :now, '', :type, :worth, :answers, :unqualified, '',"
                    " :taken_back_at, :no)"),
                    {"seq": seq, "kind": kind, "type": kind_of, "worth": worth, "answers": answers, "no": False,
                     "unqualified": unqualified, "now": now, "taken_back_at": now if taken_back else None})
        upgrade(empty_database)
        with engine.connect() as connection:
            rows = {row.name: row for row in connection.execute(text("SELECT * FROM deal"))}
    finally:
        engine.dispose()
    long, empty = rows["long"], rows["empty"]
    assert (long.ledger_seq, long.concession_count, long.price_concessions_cents, long.other_concessions_cents,
            long.unpriced_count, long.gets_count, long.give_run, long.open_asks_count, long.latest_concession_seq,
            long.latest_concession_cents, bool(long.latest_concession_unqualified),
            long.previous_concession_cents) == (6, 2, 500_000, 0, 1, 1, 1, 1, 4, None, True, 500_000)
    assert (empty.ledger_seq, empty.concession_count, empty.give_run, empty.latest_concession_seq) == (0, 2, 0, None)
    # Adding and dropping the columns changes the deal table in place: copying it (SQLite's batch mode) would drop
    # the old table, and with it, by its foreign key, every ledger entry.
    command.downgrade(alembic_config(empty_database), "0011")
    engine = make_engine(empty_database)
    try:
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT count(*) FROM ledger_entry")).scalar_one()
    finally:
        engine.dispose()
    assert kept == len(entries)


@pytest.mark.parametrize("table", [table for table in MODEL_TABLES if table not in UNSCOPED])
def test_every_table_is_scoped_by_a_required_team_id(table: str) -> None:
    column = SQLModel.metadata.tables[table].columns.get("team_id")
    assert column is not None, f"{table} has no team_id column, so its rows cannot be kept to one workspace"
    assert not column.nullable, f"{table}.team_id may be NULL: such a row would belong to no workspace"


def test_the_migrated_database_has_team_id_on_every_table_but_alembic_version_and_oauth_states(
        empty_database: str) -> None:
    upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        inspector = inspect(engine)
        unscoped = [name for name in inspector.get_table_names() if name not in UNSCOPED
                    and "team_id" not in {column["name"] for column in inspector.get_columns(name)}]
    finally:
        engine.dispose()
    assert unscoped == []


# Several processes at once -------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_processes_migrating_the_same_empty_database_at_once_both_succeed(
        empty_database: str, tmp_path: Path) -> None:
    results = finish(start_migrations(empty_database, 2, tmp_path))
    for returncode, output in results:
        assert returncode == 0, output
    assert schema_drift(empty_database) == []
    assert current_revisions(empty_database) == [head_revision(empty_database)]


@pytest.mark.slow
def test_migrate_waits_for_the_migration_lock_then_both_waiting_processes_succeed(
        empty_database: str, tmp_path: Path) -> None:
    """Holding the app's own lock (file lock on SQLite, advisory lock on PostgreSQL) queues both migrations,
    so when it is released they really do race each other for the same empty database."""
    engine = make_engine(empty_database)
    try:
        with _migration_lock(engine, empty_database):
            processes = start_migrations(empty_database, 2, tmp_path)
            pids = [process.pid for process in processes]
            queued, deadline = 0, time.monotonic() + 20
            while time.monotonic() < deadline:
                queued = waiting_for_the_lock(empty_database, pids)
                if queued in (-1, 2) or any(process.poll() is not None for process in processes):
                    break
                time.sleep(0.05)
            if queued == -1:  # the queue cannot be seen here: give them time to run, were they not waiting
                time.sleep(3)
            still_running = [process.poll() is None for process in processes]
            tables_while_locked = table_names(empty_database) - {"alembic_version"}
    finally:
        engine.dispose()
    results = finish(processes)

    assert still_running == [True, True], f"a migration did not wait for the lock: {results}"
    assert tables_while_locked == set(), "tables were created while another process held the migration lock"
    for returncode, output in results:
        assert returncode == 0, output
    assert schema_drift(empty_database) == []
    assert current_revisions(empty_database) == [head_revision(empty_database)]
