"""The unit of work: one session, one transaction, the repositories of one workspace, one commit."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.db.repositories import (
    ChannelRepository,
    DealRepository,
    EventRepository,
    OutboxRepository,
    WorkspaceRepository,
)
from bot.db.summaries import SummaryRepository


class UnitOfWork:
    """`with uow_factory(team_id) as uow: …; uow.commit()`; anything not committed is rolled back."""

    def __init__(
        self, sessions: sessionmaker[Session], team_id: str, on_commit: Callable[[], None] | None = None
    ) -> None:
        self._sessions, self.team_id, self._on_commit = sessions, team_id, on_commit
        self.wrote_outbox = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.workspaces = WorkspaceRepository(self.session, self.team_id)
        self.deals = DealRepository(self.session, self.team_id)
        self.outbox = OutboxRepository(self.session, self.team_id)
        self.channels = ChannelRepository(self.session, self.team_id)
        self.events = EventRepository(self.session, self.team_id)
        self.summaries = SummaryRepository(self.session, self.team_id)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()
        if self._on_commit is not None:
            self._on_commit()


class UnitOfWorkFactory:
    """Built once at start-up from the engine's sessionmaker; hands each request its own unit of work."""

    def __init__(self, sessions: sessionmaker[Session], on_commit: Callable[[], None] | None = None) -> None:
        self._sessions = sessions
        self.on_commit = on_commit

    def __call__(self, team_id: str) -> UnitOfWork:
        if not team_id:
            raise ValueError("a unit of work needs the Slack team id it is scoped to")
        return UnitOfWork(self._sessions, team_id, self.on_commit)
