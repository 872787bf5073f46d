"""Builds the SQLAlchemy engine for SQLite or PostgreSQL, with the connection settings each needs."""

from __future__ import annotations

import random
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.db.waits import CONNECT_TIMEOUT_S, PING_WAIT_S, POOL_TIMEOUT_S, bound_waits, waiting_at_most

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Slack gives a request 3 seconds: a request that waits longer than this for a lock is better
# answered "try again" than left to time out with its outcome unknown to the user.
REQUEST_LOCK_TIMEOUT_MS = 2_500
READ_ONLY = "dealcoach_read_only"  # execution option: this transaction only reads
# What to call before each statement SQLAlchemy runs on a connection (PostgreSQL; set by a unit of work, uow.py).
BEFORE_STATEMENT: weakref.WeakKeyDictionary[Connection, Callable[[], None]] = weakref.WeakKeyDictionary()
PING_AFTER_IDLE_S = 1.0  # PostgreSQL: a pooled connection idle this long is checked before it is used
_CHECKED_IN = "dealcoach_checked_in"


def normalise_url(url: str) -> str:
    """`postgres://` and `postgresql://` use psycopg 3, the driver this project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: Any) -> str | None:
    """The file of an SQLite database (which has a WAL); None for PostgreSQL or an SQLite database in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def make_engine(url: str, *, lock_timeout_ms: int | None = None, **kwargs: Any) -> Engine:
    """`lock_timeout_ms` marks a request-serving engine: on PostgreSQL it bounds lock waits, and every other wait
    on the database too (waits.py); migrations wait as long as needed."""
    url = normalise_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url, lock_timeout_ms or SQLITE_BUSY_TIMEOUT_MS, **kwargs)
    options: dict[str, Any] = {"pool_size": 10, "max_overflow": 20, "pool_timeout": 5}
    if lock_timeout_ms is not None:
        options["connect_args"] = {"options": f"-c lock_timeout={lock_timeout_ms}",
                                   "connect_timeout": CONNECT_TIMEOUT_S}
        options["pool_timeout"] = POOL_TIMEOUT_S
    options.update(kwargs)
    engine = create_engine(url, **options)
    if lock_timeout_ms is not None:
        bound_waits(engine)  # a request is answered "try again" in time when the database stops answering
    _ping_after_idle(engine)

    @event.listens_for(engine, "before_execute")
    def _before_statement(connection: Connection, *_args: Any) -> None:
        hook = BEFORE_STATEMENT.get(connection)
        if hook is not None:
            hook()

    return engine


def _ping_after_idle(engine: Engine) -> None:
    """Checks that a pooled connection still answers before handing it out, but only one that sat idle for
    PING_AFTER_IDLE_S: a connection in use moments ago almost surely still works, and pinging on every
    checkout (`pool_pre_ping`) costs every request one more round trip. A connection that does not answer
    is replaced by a new one, so the first request after the database comes back does not fail."""

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_CHECKED_IN, 0.0) < PING_AFTER_IDLE_S:
            return
        try:
            with waiting_at_most(dbapi_connection, PING_WAIT_S):  # then a new connection, within the budget
                engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"a pooled connection no longer answers: {exc}") from exc


def _sqlite_engine(url: str, busy_timeout_ms: int, **kwargs: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN below is ours; set the pragmas each connection needs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if sqlite_file(url) is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front: a read-then-write transaction can then never fail with
        # "database is locked" when it upgrades; writers queue on busy_timeout instead. Readers do not
        # queue at all (WAL lets them read beside a writer). A unit of work begins its own transactions on the
        # driver (uow.py): SQLAlchemy then joins the one already open.
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.in_transaction:
            return
        if connection.get_execution_options().get(READ_ONLY, False):
            dbapi_connection.execute("BEGIN")
        else:
            begin_immediate(dbapi_connection, time.monotonic() + busy_timeout_ms / 1000, busy_timeout_ms)

    return engine


def begin_immediate(dbapi_connection: Any, deadline: float, timeout_ms: int) -> None:
    """Takes SQLite's write lock by `deadline`, polling every millisecond or so. SQLite's own busy handler
    sleeps in growing steps up to 100 ms, so a writer could wait long after the lock was free; between
    processes that turned contention into tails of a second and more."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=0")
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    # Raised from an event handler, the driver's error would reach callers unwrapped; as
                    # SQLAlchemy's own error it is what they handle ("try again").
                    raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
                time.sleep(0.0005 + random.random() * 0.001)  # jitter, so waiting writers do not march in step
    finally:
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False, autoflush=False)


@contextmanager
def reading(sessions: sessionmaker[Session]) -> Iterator[Connection]:
    """A connection for reads only, outside any unit of work (the outbox's claims, the sweeps' team list).

    On SQLite it begins a plain transaction, not the write lock. It ends in COMMIT when the block ends: psycopg
    prepares a statement on a connection once it has run there five times and discards every statement it prepared
    there whenever a transaction ends in ROLLBACK, and re-parsing and re-planning a deal's read cost PostgreSQL
    about five times what running it prepared does. (The unit of work's readers run in autocommit for the same
    reason.) A block that fails still rolls back."""
    with sessions() as session:
        yield session.connection(execution_options={READ_ONLY: True})
        session.commit()
