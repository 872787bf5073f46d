"""Repositories bound to one workspace, on one connection (ORM rows: one session): none can reach another team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col

from bot.db import mapping
from bot.db.tables import (
    ChannelRow,
    DecisionRow,
    SentOnce,
    SlackEvent,
    Workspace,
    table_of,
    utcnow,
)
from bot.domain.model import Deal, Policy


def _insert_ignoring_duplicates(connection: Connection, table: type[SQLModel], values: dict[str, object]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either database; True when the row was new."""
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING tells whether a row went in; an ORM-enabled INSERT's rowcount is not reliable on psycopg.
    key = next(iter(table_of(table).primary_key.columns))
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return connection.execute(statement).first() is not None


class WorkspaceRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def ensure(self) -> None:
        """The workspace row must exist before its deals (foreign key); safe when two requests race."""
        _insert_ignoring_duplicates(self._session.connection(), Workspace, {"team_id": self._team_id,
                                                               "created_at": utcnow(), "updated_at": utcnow()})

    def policy(self) -> Policy:
        return mapping.policy_from_row(self._session.get(Workspace, self._team_id))

    def change_policy(self, changes: dict[str, object]) -> Policy:
        self.ensure()
        row = self._session.get(Workspace, self._team_id, with_for_update=True)
        assert row is not None
        mapping.apply_policy_changes(row, changes)
        row.updated_at = utcnow()
        self._session.add(row)
        return mapping.policy_from_row(row)


class ChannelRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def is_ext_shared(self, channel_id: str, *, checked_after: datetime | None = None) -> bool | None:
        """What we last learned; None when never checked, or not since `checked_after`."""
        row = self._session.get(ChannelRow, (self._team_id, channel_id))
        if row is None or (checked_after is not None and mapping.aware(row.checked_at) < checked_after):
            return None
        return row.is_ext_shared

    def remember(self, channel_id: str, *, is_ext_shared: bool, at: datetime | None = None) -> None:
        row = self._session.get(ChannelRow, (self._team_id, channel_id)) or ChannelRow(
            team_id=self._team_id, channel_id=channel_id
        )
        row.is_ext_shared, row.checked_at = is_ext_shared, at or utcnow()
        self._session.add(row)


class EventRepository:
    def __init__(self, connection: Connection, team_id: str) -> None:
        self._connection, self._team_id = connection, team_id

    def first_time(self, event_id: str) -> bool:
        """Records the event id; False when it was seen before (a retry, or another replica got it)."""
        try:
            return _insert_ignoring_duplicates(
                self._connection, SlackEvent, {"event_id": event_id, "team_id": self._team_id, "received_at": utcnow()}
            )
        except IntegrityError:  # pragma: no cover - on_conflict_do_nothing makes this rare
            return False


def database_answers(engine: Engine) -> bool:
    """For /healthz: a round trip to the database."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        connection.commit()  # not a rollback: psycopg then drops the connection's prepared statements (engine.py)
    return True


class DecisionRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def find(self, deal_id: int, seq: int) -> DecisionRow | None:
        query = select(DecisionRow).where(
            col(DecisionRow.team_id) == self._team_id, col(DecisionRow.deal_id) == deal_id, col(DecisionRow.seq) == seq
        )
        return self._session.execute(query).scalars().first()

    def decided_latest(self, deal: Deal) -> bool:
        """Whether a manager has decided on the deal's latest ledger entry (what its last alert was about)."""
        latest = deal.next_seq() - 1  # from the running figures when the deal was read without its entries
        return deal.id is not None and latest > 0 and self.find(deal.id, latest) is not None

    def add(self, deal_id: int, seq: int, kind: str, by_user: str) -> None:
        self._session.add(DecisionRow(team_id=self._team_id, deal_id=deal_id, seq=seq, kind=kind, by_user=by_user))
        self._session.flush()


class SentOnceRepository:
    def __init__(self, connection: Connection, team_id: str) -> None:
        self._connection, self._team_id = connection, team_id

    def claim(self, key: str) -> bool:
        """True the first time a key is claimed in this workspace; False ever after, from any process."""
        return _insert_ignoring_duplicates(self._connection, SentOnce,
                                           {"team_id": self._team_id, "key": key, "sent_at": utcnow()})


def all_team_ids(connection: Connection) -> list[str]:
    """Every workspace, for the scheduled sweeps (the only query not bound to one team)."""
    return list(connection.execute(select(col(Workspace.team_id)).order_by(col(Workspace.team_id))).scalars())
