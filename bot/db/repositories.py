"""Repositories over one session, each bound to one workspace: no method can reach another team's rows."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.db import mapping
from bot.db.tables import (
    ChannelRow,
    DealRow,
    DecisionRow,
    LedgerEntryRow,
    OutboxRow,
    SentOnce,
    SlackEvent,
    Workspace,
    utcnow,
)
from bot.domain.errors import NotFound
from bot.domain.model import Deal, Policy, Stage, Verdict


def _insert_ignoring_duplicates(session: Session, table: type, values: dict[str, object]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either database; True when the row was new."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING tells whether a row went in; an ORM-enabled INSERT's rowcount is not reliable on psycopg.
    key = next(iter(table.__table__.primary_key.columns))  # type: ignore[attr-defined]
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


class WorkspaceRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def ensure(self) -> None:
        """The workspace row must exist before its deals (foreign key); safe when two requests race."""
        _insert_ignoring_duplicates(self._session, Workspace, {"team_id": self._team_id,
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


class DealRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id
        self._rows: dict[int, DealRow] = {}
        self._taken_back: dict[int, dict[int, bool]] = {}  # per deal: seq -> taken back, as stored

    def get(self, *, name: str | None = None, deal_id: int | None = None, lock: bool = False) -> Deal:
        """By id among all deals, or by name (case-insensitive): the open deal of that name, else the
        one closed most recently, so `/deal back acme` finds the deal walked away from."""
        query = select(DealRow).where(DealRow.team_id == self._team_id)
        if deal_id is not None:
            query = query.where(DealRow.id == deal_id)
        else:
            query = query.where(DealRow.name_key == (name or "").lower()).order_by(
                (DealRow.stage == Stage.OPEN.value).desc(), DealRow.closed_at.desc(), DealRow.id.desc()  # type: ignore[union-attr]
            ).limit(1)
        if lock:
            query = query.with_for_update()
        row = self._session.execute(query).scalars().first()
        if row is None:
            label = f"#{deal_id}" if deal_id is not None else f"`{name}`"
            raise NotFound(f"No deal {label} in this workspace. `/deal list` shows your open deals.")
        return self._load([row])[0]

    def find_by_card(self, channel_id: str, card_ts: str) -> Deal | None:
        query = select(DealRow).where(
            DealRow.team_id == self._team_id, DealRow.channel_id == channel_id, DealRow.card_ts == card_ts
        )
        row = self._session.execute(query).scalars().first()
        return self._load([row])[0] if row else None

    def name_is_open(self, name: str) -> bool:
        query = select(func.count()).select_from(DealRow).where(
            DealRow.team_id == self._team_id, DealRow.name_key == name.lower(), DealRow.stage == Stage.OPEN.value
        )
        return bool(self._session.execute(query).scalar_one())

    def stale(self, idle_since: datetime, limit: int = 200) -> list[tuple[int, str, str, datetime]]:
        """Open deals untouched since `idle_since`: (id, name, owner, last change), oldest first."""
        query = (
            select(DealRow.id, DealRow.name, DealRow.owner_id, DealRow.updated_at)
            .where(DealRow.team_id == self._team_id, DealRow.stage == Stage.OPEN.value,
                   DealRow.updated_at < idle_since)
            .order_by(DealRow.updated_at)
            .limit(limit)
        )
        return [(row[0], row[1], row[2], mapping.aware(row[3])) for row in self._session.execute(query)]

    def list_needing_attention(self, *, limit: int = 20) -> list[Deal]:
        """Open deals whose last verdict was escalate or walk away, most recently changed first."""
        query = (
            select(DealRow)
            .where(DealRow.team_id == self._team_id, DealRow.stage == Stage.OPEN.value,
                   DealRow.verdict.in_((Verdict.ESCALATE.word, Verdict.WALK_AWAY.word)))  # type: ignore[attr-defined]
            .order_by(DealRow.updated_at.desc())  # type: ignore[attr-defined]
            .limit(limit)
        )
        return self._load(list(self._session.execute(query).scalars()))

    def list_open(self, *, owner_id: str | None = None, limit: int = 200) -> list[Deal]:
        query = select(DealRow).where(DealRow.team_id == self._team_id, DealRow.stage == Stage.OPEN.value)
        if owner_id is not None:
            query = query.where(DealRow.owner_id == owner_id)
        rows = list(self._session.execute(query.order_by(DealRow.id).limit(limit)).scalars())
        return self._load(rows)

    def add(self, deal: Deal, verdict: Verdict) -> Deal:
        row = mapping.new_deal_row(deal)
        self._session.add(row)
        self._session.flush()
        assert row.id is not None
        deal.id = row.id
        self._rows[row.id] = row
        self._taken_back[row.id] = {}
        self.save(deal, verdict)
        return deal

    def save(self, deal: Deal, verdict: Verdict) -> None:
        """Writes the deal's facts and verdict, its new entries and entries newly taken back."""
        assert deal.id is not None and deal.id in self._rows, "save() takes a deal this repository loaded"
        row = self._rows[deal.id]
        mapping.copy_deal_to_row(deal, row)
        row.verdict = verdict.word
        now = utcnow()
        row.updated_at = now
        if not deal.is_open and row.closed_at is None:
            row.closed_at = now
        elif deal.is_open:
            row.closed_at = None
        self._session.add(row)
        # Ledger entries go through Core statements: a deal's ledger can be long and ORM objects cost.
        stored = self._taken_back[deal.id]
        new = [mapping.entry_values(deal, entry) for entry in deal.entries if entry.seq not in stored]
        if new:
            self._session.execute(insert(LedgerEntryRow), new)
        for entry in deal.entries:
            if entry.taken_back and not stored.get(entry.seq, False):
                self._session.execute(
                    update(LedgerEntryRow)
                    .where(LedgerEntryRow.deal_id == deal.id, LedgerEntryRow.seq == entry.seq)
                    .values(taken_back_at=now, taken_back_by=entry.taken_back_by)
                    .execution_options(synchronize_session=False)
                )
        self._taken_back[deal.id] = {entry.seq: entry.taken_back for entry in deal.entries}

    def set_card(self, deal_id: int, card_ts: str) -> None:
        self._session.execute(
            update(DealRow)
            .where(DealRow.team_id == self._team_id, DealRow.id == deal_id)
            .values(card_ts=card_ts)
            .execution_options(synchronize_session=False)
        )

    def card_of(self, deal_id: int) -> tuple[str, str | None] | None:
        """(channel, card ts) of a deal, without loading its ledger."""
        query = select(DealRow.channel_id, DealRow.card_ts).where(
            DealRow.team_id == self._team_id, DealRow.id == deal_id
        )
        found = self._session.execute(query).first()
        return (found[0], found[1]) if found else None

    def _load(self, rows: list[DealRow]) -> list[Deal]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        entries = LedgerEntryRow.__table__  # plain rows, not ORM objects: see save()
        query = (
            select(entries)
            .where(entries.c.team_id == self._team_id, entries.c.deal_id.in_(ids))
            .order_by(entries.c.deal_id, entries.c.seq)
        )
        by_deal: dict[int, list[Any]] = {i: [] for i in ids if i is not None}
        for entry in self._session.execute(query):
            by_deal[entry.deal_id].append(entry)
        deals = []
        for row in rows:
            assert row.id is not None
            self._rows[row.id] = row
            self._taken_back[row.id] = {e.seq: e.taken_back_at is not None for e in by_deal[row.id]}
            deals.append(mapping.deal_from_rows(row, by_deal[row.id]))
        return deals


MAX_NOTE_LINES = 10


class OutboxRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def add(
        self, kind: str, *, channel: str, deal_id: int | None = None, payload: dict | None = None,
        response_url: str | None = None,
    ) -> None:
        self._session.add(
            OutboxRow(
                team_id=self._team_id,
                deal_id=deal_id,
                kind=kind,
                channel_id=channel,
                payload=json.dumps(payload or {}, sort_keys=True),
                response_url=response_url,
            )
        )

    def add_note(self, *, channel: str, deal_id: int, note: dict) -> None:
        """Thread notes not yet picked up merge into one message (up to MAX_NOTE_LINES lines): Slack takes
        about one message a second per channel, so a busy deal gets fewer, fuller notes, not a backlog."""
        waiting = self._session.execute(
            select(OutboxRow.id, OutboxRow.payload)
            .where(*self._waiting(kind="note", deal_id=deal_id))
            .order_by(OutboxRow.id.desc())  # type: ignore[union-attr]
            .limit(1)
        ).first()
        if waiting is not None:
            notes = json.loads(waiting.payload).get("notes", [])
            if len(notes) < MAX_NOTE_LINES:
                merged = self._session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == waiting.id, OutboxRow.claimed_until.is_(None))  # type: ignore[union-attr]
                    .values(payload=json.dumps({"notes": [*notes, note]}, sort_keys=True))
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
                if merged:
                    return
        self.add("note", channel=channel, deal_id=deal_id, payload={"notes": [note]})

    def pending(self, *, kind: str, channel: str | None = None, deal_id: int | None = None) -> bool:
        """A message of this kind (for this channel, this deal) is queued and not yet picked up: one
        waiting card, chart or Home refresh renders things as they are when sent, so one is enough."""
        query = select(func.count()).select_from(OutboxRow).where(*self._waiting(kind, channel, deal_id))
        return bool(self._session.execute(query).scalar_one())

    def card_pending(self, deal_id: int) -> bool:
        return self.pending(kind="card", deal_id=deal_id)

    def _waiting(self, kind: str, channel: str | None = None, deal_id: int | None = None) -> tuple:
        return (
            OutboxRow.team_id == self._team_id,
            OutboxRow.kind == kind,
            OutboxRow.channel_id == channel if channel is not None else true(),
            OutboxRow.deal_id == deal_id if deal_id is not None else true(),
            OutboxRow.delivered_at.is_(None),  # type: ignore[union-attr]
            OutboxRow.failed_at.is_(None),  # type: ignore[union-attr]
            OutboxRow.claimed_until.is_(None),  # type: ignore[union-attr]
        )


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
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def first_time(self, event_id: str) -> bool:
        """Records the event id; False when it was seen before (a retry, or another replica got it)."""
        try:
            return _insert_ignoring_duplicates(
                self._session, SlackEvent, {"event_id": event_id, "team_id": self._team_id, "received_at": utcnow()}
            )
        except IntegrityError:  # pragma: no cover - on_conflict_do_nothing makes this rare
            return False


def database_answers(engine: Engine) -> bool:
    """For /healthz: a round trip to the database."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return True


class DecisionRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def find(self, deal_id: int, seq: int) -> DecisionRow | None:
        query = select(DecisionRow).where(
            DecisionRow.team_id == self._team_id, DecisionRow.deal_id == deal_id, DecisionRow.seq == seq
        )
        return self._session.execute(query).scalars().first()

    def decided_latest(self, deal: Deal) -> bool:
        """Whether a manager has decided on the deal's latest ledger entry (what its last alert was about)."""
        latest = max((entry.seq for entry in deal.entries), default=None)
        return latest is not None and self.find(deal.id, latest) is not None  # type: ignore[arg-type]

    def add(self, deal_id: int, seq: int, kind: str, by_user: str) -> None:
        self._session.add(DecisionRow(team_id=self._team_id, deal_id=deal_id, seq=seq, kind=kind, by_user=by_user))
        self._session.flush()


class SentOnceRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def claim(self, key: str) -> bool:
        """True the first time a key is claimed in this workspace; False ever after, from any process."""
        return _insert_ignoring_duplicates(self._session, SentOnce,
                                           {"team_id": self._team_id, "key": key, "sent_at": utcnow()})


def all_team_ids(session: Session) -> list[str]:
    """Every workspace, for the scheduled sweeps (the only query not bound to one team)."""
    return list(session.execute(select(Workspace.team_id).order_by(Workspace.team_id)).scalars())
