"""The unit of work: one session, one transaction, the repositories of one workspace, one commit."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.db.deals import DealRepository
from bot.db.engine import LOCK_DEADLINE, READ_ONLY, REQUEST_LOCK_TIMEOUT_MS
from bot.db.outbox import OutboxRepository
from bot.db.repositories import (
    ChannelRepository,
    DecisionRepository,
    EventRepository,
    SentOnceRepository,
    WorkspaceRepository,
)
from bot.db.summaries import SummaryRepository


class UnitOfWork:
    """`with uow_factory(team_id) as uow: …; uow.commit()`; anything not committed is rolled back."""

    def __init__(
        self, sessions: sessionmaker[Session], team_id: str, on_commit: Callable[[], None] | None = None,
        *, read_only: bool = False, reads_first: bool = False, write_lock: WriteTurns | None = None,
        lock_timeout_ms: int = REQUEST_LOCK_TIMEOUT_MS, autocommit_reads: bool = False,
    ) -> None:
        self._sessions, self.team_id, self._on_commit = sessions, team_id, on_commit
        self._read_only = read_only
        self._autocommit_reads = autocommit_reads
        self._write_lock = None if read_only else write_lock
        self._reads_first = reads_first and not read_only
        self._lock_timeout = lock_timeout_ms / 1000
        self._has_turn = False

    @property
    def locks_rows(self) -> bool:
        """Whether reads should lock the rows they will change; reading first, they do not (on SQLite, until
        `write()`), and a change is written only if its row is as it was read (see `DealRepository.save`)."""
        return not self._reads_first or self._has_turn

    def __enter__(self) -> UnitOfWork:
        # One deadline for both waits, this process's earlier writers and then the database's write lock,
        # so a writer is answered "try again" within the request's budget rather than after it.
        self._deadline = time.monotonic() + self._lock_timeout
        self.session = self._sessions()
        if self._read_only and self._autocommit_reads:
            # PostgreSQL: each statement sees what was committed when it began, in a transaction or not
            # (READ COMMITTED), so a reader spares the round trips of BEGIN and ROLLBACK.
            self.session.connection(execution_options={READ_ONLY: True, "isolation_level": "AUTOCOMMIT"})
        elif self._read_only or (self._reads_first and self._write_lock is not None):
            # SQLite then begins a plain (deferred) transaction: readers never queue for the write lock.
            self.session.connection(execution_options={READ_ONLY: True})
        elif self._write_lock is not None:
            self._take_turn()
        # else PostgreSQL writing: its writers lock rows as they go, nothing to take up front
        self.workspaces = WorkspaceRepository(self.session, self.team_id)
        self.deals = DealRepository(self.session, self.team_id)
        self.outbox = OutboxRepository(self.session, self.team_id)
        self.channels = ChannelRepository(self.session, self.team_id)
        self.events = EventRepository(self.session, self.team_id)
        self.summaries = SummaryRepository(self.session, self.team_id)
        self.decisions = DecisionRepository(self.session, self.team_id)
        self.sent_once = SentOnceRepository(self.session, self.team_id)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            if self._has_turn:
                self._has_turn = False
                assert self._write_lock is not None
                self._write_lock.release()

    def write(self) -> None:
        """From here on this unit of work writes. Reading first on SQLite, it ends its read snapshot and takes
        its turn and the write lock now, so the lock is held for the writes alone and not for the reading
        and judging before them; anything read must then be checked unchanged as it is written. Otherwise
        (PostgreSQL, whose writers lock rows rather than the database, or holding the lock from the start)
        it changes nothing."""
        if self._reads_first and self._write_lock is not None and not self._has_turn:
            self.session.rollback()
            self._take_turn()

    def _take_turn(self) -> None:
        assert self._write_lock is not None
        self._write_lock.acquire(self._deadline)
        self._has_turn = True
        try:
            self.session.connection(execution_options={LOCK_DEADLINE: self._deadline})
        except BaseException:  # give the turn back at once: __exit__ may not run (called from __enter__)
            self._has_turn = False
            self._write_lock.release()
            if not self._reads_first:
                self.session.close()
            raise

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()
        if self._on_commit is not None:
            self._on_commit()


class UnitOfWorkFactory:
    """Built once at start-up from the engine's sessionmaker; hands each request its own unit of work."""

    def __init__(self, sessions: sessionmaker[Session], on_commit: Callable[[], None] | None = None, *,
                 serialise_writes: bool = False, autocommit_reads: bool = False,
                 lock_timeout_ms: int = REQUEST_LOCK_TIMEOUT_MS) -> None:
        self._sessions = sessions
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
        return UnitOfWork(self._sessions, team_id, self.on_commit, read_only=read_only, reads_first=reads_first,
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
