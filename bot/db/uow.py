"""The unit of work: one session, one transaction, the repositories of one workspace, one commit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.db.engine import READ_ONLY
from bot.db.repositories import (
    ChannelRepository,
    DealRepository,
    DecisionRepository,
    EventRepository,
    OutboxRepository,
    SentOnceRepository,
    WorkspaceRepository,
)
from bot.db.summaries import SummaryRepository


class UnitOfWork:
    """`with uow_factory(team_id) as uow: …; uow.commit()`; anything not committed is rolled back."""

    def __init__(
        self, sessions: sessionmaker[Session], team_id: str, on_commit: Callable[[], None] | None = None,
        *, read_only: bool = False, write_lock: threading.RLock | None = None,
    ) -> None:
        self._sessions, self.team_id, self._on_commit = sessions, team_id, on_commit
        self._read_only = read_only
        self._write_lock = None if read_only else write_lock

    def __enter__(self) -> UnitOfWork:
        if self._write_lock is not None:
            self._write_lock.acquire()
        self.session = self._sessions()
        if self._read_only:
            # SQLite then begins a plain (deferred) transaction: readers never queue for the write lock.
            self.session.connection(execution_options={READ_ONLY: True})
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
            if self._write_lock is not None:
                self._write_lock.release()

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()
        if self._on_commit is not None:
            self._on_commit()


class UnitOfWorkFactory:
    """Built once at start-up from the engine's sessionmaker; hands each request its own unit of work."""

    def __init__(self, sessions: sessionmaker[Session], on_commit: Callable[[], None] | None = None, *,
                 serialise_writes: bool = False) -> None:
        self._sessions = sessions
        self.on_commit = on_commit
        # SQLite has one writer at a time, and its busy handler waits by sleeping in growing steps (up to
        # 100 ms), which turns contention into long tails. Writers of one process queue on a lock instead.
        self._write_lock = threading.RLock() if serialise_writes else None

    def __call__(self, team_id: str, *, read_only: bool = False) -> UnitOfWork:
        if not team_id:
            raise ValueError("a unit of work needs the Slack team id it is scoped to")
        return UnitOfWork(self._sessions, team_id, self.on_commit, read_only=read_only,
                          write_lock=self._write_lock)
