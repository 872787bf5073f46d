"""The unit of work: one connection, one transaction, the repositories of one workspace, one commit."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from functools import cached_property
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.db.deals import DealRepository
from bot.db.engine import BEFORE_STATEMENT, READ_ONLY, REQUEST_LOCK_TIMEOUT_MS, begin_immediate
from bot.db.exports import ExportRepository
from bot.db.installations import InstallationRepository
from bot.db.outbox import OutboxRepository
from bot.db.prepared import Runner
from bot.db.repositories import (
    ChannelRepository,
    DecisionRepository,
    EventRepository,
    SentOnceRepository,
    WorkspaceRepository,
)
from bot.db.summaries import SummaryRepository


class UnitOfWork:
    """`with uow_factory(team_id) as uow: …; uow.commit()`; anything not committed is rolled back.

    Its repositories run SQLAlchemy Core statements on the unit's one connection; an ORM session over the same
    connection and transaction is made only when a repository needs one (workspace policy, channels,
    decisions): making a session and going through it for every statement cost more than the hot statements.

    The unit begins, commits and ends its transaction on the driver connection itself: SQLAlchemy's own
    transaction bookkeeping and events cost more per request than SQLite took to run the statements. A statement
    through SQLAlchemy still works inside it (engine.py begins nothing when the driver is already in a transaction,
    and SQLAlchemy's commit commits the driver's). How each database is used:

    - SQLite: a reader's statements share one snapshot (a deferred BEGIN). A move reads first without any
      transaction (its one statement is consistent on its own), then `write()` takes this process's write turn
      and the database's write lock (BEGIN IMMEDIATE), so the lock is held for the writes alone. Other writers
      take both at the start.
    - PostgreSQL: readers and a move's reading run in autocommit (READ COMMITTED: each statement sees what was
      committed when it began; no BEGIN or ROLLBACK round trips). A deal's save and the writes after it wait and
      go to the server as one statement when the unit commits (prepared.py). A move whose writes are only that
      statement stays in autocommit: the statement commits on its own, all or nothing. As soon as anything else
      runs after `write()` (a once-key claimed, a name checked), the unit begins a transaction first. Other
      writers run in a transaction."""

    def __init__(
        self, engine: Engine, sessions: sessionmaker[Session], team_id: str,
        on_commit: Callable[[], None] | None = None, *, read_only: bool = False, reads_first: bool = False,
        write_lock: WriteTurns | None = None, lock_timeout_ms: int = REQUEST_LOCK_TIMEOUT_MS,
        autocommit_reads: bool = False,
    ) -> None:
        self._sessions, self.team_id, self._on_commit = sessions, team_id, on_commit
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._read_only = read_only
        self._autocommit = autocommit_reads and not self._sqlite and (read_only or reads_first)
        self._write_lock = None if read_only else write_lock
        self._reads_first = reads_first and not read_only
        self._lock_timeout_ms = lock_timeout_ms
        self._has_turn = False
        # PostgreSQL after `write()` in autocommit: its writes may still go as one statement that commits itself.
        self._writing_in_autocommit = False
        self._committing = False

    def _locks_rows(self) -> bool:
        """Whether reads should lock the rows they will change: a reader's never; reading first, they do not (on
        SQLite, until `write()`), and a change is written only if its row is as it was read (`DealRepository.save`)."""
        return not self._read_only and (not self._reads_first or self._has_turn)

    def __enter__(self) -> UnitOfWork:
        # One deadline for both waits, this process's earlier writers and then the database's write lock,
        # so a writer is answered "try again" within the request's budget rather than after it.
        self._deadline = time.monotonic() + self._lock_timeout_ms / 1000
        self.connection = self._engine.connect()
        try:
            driver = self.connection.connection.driver_connection  # sqlite3's or psycopg's connection
            assert driver is not None, "a connection just taken from the pool has its driver's"
            self._driver = driver
            self._runner = Runner(self.connection, begin=self._before_statement)
            # A statement through SQLAlchemy (not the runner) goes after the writes waiting in a batch, under the
            # same rules (engine.py calls this on PostgreSQL).
            BEFORE_STATEMENT[self.connection] = self._before_sqlalchemy_statement
            if self._autocommit:
                self._driver.autocommit = True
            elif self._sqlite and not self._read_only and not self._reads_first:
                self._take_turn()
            # else PostgreSQL writing: psycopg begins at the first statement; writers lock rows as they go
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._drop_session()
        finally:
            self._close()

    def _close(self) -> None:
        """Back to the pool, rolled back and in the driver's usual mode; the write turn is given back."""
        BEFORE_STATEMENT.pop(self.connection, None)  # it holds this unit: never left behind
        if hasattr(self, "_runner"):  # not when the driver connection failed before it was made
            self._runner.drop_batch()
        try:
            if self._autocommit and not self.connection.invalidated:
                try:
                    self._driver.autocommit = False  # idle in autocommit: a change psycopg allows
                except self._engine.dialect.loaded_dbapi.Error:
                    self.connection.invalidate()  # broken: the pool must not hand it out again
        finally:
            self.connection.close()  # rolls back what was not committed, and returns it to the pool
            if self._has_turn:
                self._has_turn = False
                if self._write_lock is not None:
                    self._write_lock.release()

    def _before_statement(self) -> None:
        """Before each of the repositories' driver statements: a SQLite reader's snapshot begins with its first; on
        PostgreSQL, a statement after `write()` other than the batch sent at commit begins a transaction."""
        if self._writing_in_autocommit and not self._committing:
            self._writing_in_autocommit = self._autocommit = False
            self._driver.autocommit = False  # psycopg begins the transaction with the next statement
        if self._read_only and self._sqlite and not self._driver.in_transaction:
            self._driver.execute("BEGIN")

    def _before_sqlalchemy_statement(self) -> None:
        self._before_statement()
        self._runner.send_waiting()

    # The repositories, made on first use ----------------------------------------------------------

    @cached_property
    def session(self) -> Session:
        """An ORM session in this unit's transaction: it flushes into it, and only `commit()` commits."""
        if not self.connection.in_transaction():
            self.connection.begin()
        return self._sessions(bind=self.connection, join_transaction_mode="rollback_only")

    @cached_property
    def deals(self) -> DealRepository:
        return DealRepository(self.connection, self.team_id, self._runner, self._locks_rows)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.connection, self.team_id, self._runner)

    @cached_property
    def summaries(self) -> SummaryRepository:
        return SummaryRepository(self.connection, self.team_id)

    @cached_property
    def exports(self) -> ExportRepository:
        return ExportRepository(self.connection, self.team_id)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.connection, self.team_id)

    @cached_property
    def sent_once(self) -> SentOnceRepository:
        return SentOnceRepository(self.connection, self.team_id)

    @cached_property
    def workspaces(self) -> WorkspaceRepository:
        return WorkspaceRepository(self.session, self.team_id)

    @cached_property
    def channels(self) -> ChannelRepository:
        return ChannelRepository(self.session, self.team_id)

    @cached_property
    def installations(self) -> InstallationRepository:
        return InstallationRepository(self.connection, self.team_id)

    @cached_property
    def decisions(self) -> DecisionRepository:
        return DecisionRepository(self.session, self.team_id)

    # Writing --------------------------------------------------------------------------------------

    def write(self) -> None:
        """From here on this unit of work writes; a unit reading first calls it once it has judged.

        SQLite: the read ends, and the unit takes its turn and the write lock now, so the lock is held for the
        writes alone and not for the reading and judging before them; anything read must then be checked
        unchanged as it is written. PostgreSQL: the unit stays in autocommit while its writes can still go as the
        one statement sent at commit (see the class). Holding the lock from the start, nothing changes."""
        if not self._reads_first or self._has_turn:
            return
        if not self._sqlite:
            self._writing_in_autocommit = self._autocommit
            return
        if self.connection.in_transaction():  # something read through SQLAlchemy: end its transaction there
            self._drop_session()  # ORM rows read so far are detached
            self.connection.rollback()
        elif self._driver.in_transaction:
            self._driver.rollback()
        self._take_turn()

    def _take_turn(self) -> None:
        """SQLite: this process's write turn (when writers take turns), then the database's write lock."""
        if self._write_lock is not None:
            self._write_lock.acquire(self._deadline)
        self._has_turn = True
        try:
            begin_immediate(self._driver, self._deadline, self._lock_timeout_ms)
        except BaseException:  # give the turn back at once: __exit__ may not run (called from __enter__)
            self._has_turn = False
            if self._write_lock is not None:
                self._write_lock.release()
            raise

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._committing = True
        try:
            self._runner.send_batch()  # in autocommit, the one statement that commits the writes by itself
        finally:
            self._committing = False
        if "session" in self.__dict__:
            self.session.flush()
        if self.connection.in_transaction():
            self.connection.commit()  # SQLAlchemy's transaction: committing it commits the driver's
        elif not self._autocommit:
            self._driver.commit()  # nothing to do when no transaction is open
        if self._on_commit is not None:
            self._on_commit()

    def _drop_session(self) -> None:
        session = self.__dict__.pop("session", None)
        if session is not None:
            session.close()
            for name in ("workspaces", "channels", "decisions"):
                self.__dict__.pop(name, None)


class UnitOfWorkFactory:
    """Built once at start-up from the engine's sessionmaker; hands each request its own unit of work."""

    def __init__(self, sessions: sessionmaker[Session], on_commit: Callable[[], None] | None = None, *,
                 serialise_writes: bool = False, autocommit_reads: bool = False,
                 lock_timeout_ms: int = REQUEST_LOCK_TIMEOUT_MS) -> None:
        self._sessions = sessions
        engine: Engine = sessions.kw["bind"]
        # On SQLite, whatever SQLAlchemy begins for a unit of work is a deferred (reading) transaction: a unit
        # takes the write lock itself, on the driver, after its turn (engine.py begins nothing then).
        self._engine = engine.execution_options(**{READ_ONLY: True}) if engine.dialect.name == "sqlite" else engine
        self.on_commit = on_commit
        # SQLite has one writer at a time, and its busy handler waits by sleeping in growing steps (up to
        # 100 ms), which turns contention into long tails. Writers of one process take turns instead.
        self._write_lock = WriteTurns() if serialise_writes else None
        self._autocommit_reads = autocommit_reads
        self._lock_timeout_ms = lock_timeout_ms

    def __call__(self, team_id: str, *, read_only: bool = False, reads_first: bool = False) -> UnitOfWork:
        """`reads_first`: the caller reads and judges, then calls `uow.write()` before writing."""
        if not team_id:
            raise ValueError("a unit of work needs the Slack team id it is scoped to")
        return UnitOfWork(self._engine, self._sessions, team_id, self.on_commit, read_only=read_only,
                          reads_first=reads_first,
                          write_lock=self._write_lock, lock_timeout_ms=self._lock_timeout_ms,
                          autocommit_reads=self._autocommit_reads)


class WriteTurnTimeout(OperationalError):
    """The writers ahead of this one in its process kept the database's write lock past its deadline: the
    database is too busy just now, and the request is answered "try again" like any lock timeout."""

    def __init__(self, waited: float) -> None:
        super().__init__("waiting for this process's earlier writers", None,
                         TimeoutError(f"no turn to write within {waited:.1f} s"))


class WriteTurns:
    """A process's writers take the write lock in arrival order, each until its deadline. (A plain lock
    lets a newcomer overtake threads that have waited: under load some writers starved past Slack's
    three seconds and then failed with "database is locked".) Reentrant for the thread holding it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: deque[object] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, deadline: float) -> None:
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return
            ticket = object()
            self._waiting.append(ticket)
            started = time.monotonic()
            try:
                while self._owner is not None or self._waiting[0] is not ticket:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise WriteTurnTimeout(time.monotonic() - started)
                    self._changed.wait(remaining)
            except BaseException:
                self._waiting.remove(ticket)
                self._changed.notify_all()  # the writer behind may now be first
                raise
            self._waiting.popleft()
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._changed:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed.notify_all()
