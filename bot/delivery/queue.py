"""Claiming, finishing and rescheduling outbox rows; safe with several processes delivering side by side."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased, sessionmaker
from sqlmodel import Session

from bot.db.tables import OutboxRow

_THREADED = ("card", "note")  # posted in the deal's channel, in order
CLAIM_SECONDS = 60  # a claim outlives any delivery attempt; a crashed process's rows come back after it
BATCH = 20


@dataclass(frozen=True)
class Job:
    id: int
    team_id: str
    deal_id: int | None
    kind: str
    payload: dict
    response_url: str | None
    attempts: int


class OutboxQueue:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def claim(self, now: datetime, limit: int = BATCH) -> list[Job]:
        """Due rows in order, each claimed by one conditional UPDATE so only one process gets it."""
        free = or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now)  # type: ignore[union-attr]
        pending = (
            OutboxRow.delivered_at.is_(None),  # type: ignore[union-attr]
            OutboxRow.failed_at.is_(None),  # type: ignore[union-attr]
            OutboxRow.due_at <= now,
        )
        # A deal's card and thread notes go out one at a time, in order, whichever process delivers them:
        # a second card must not be posted while the first is still in flight without its ts.
        earlier = aliased(OutboxRow)
        in_order = or_(
            OutboxRow.deal_id.is_(None),  # type: ignore[union-attr]
            OutboxRow.kind.not_in(_THREADED),  # type: ignore[attr-defined]
            ~exists().where(
                earlier.deal_id == OutboxRow.deal_id,
                earlier.kind.in_(_THREADED),  # type: ignore[attr-defined]
                earlier.id < OutboxRow.id,
                earlier.delivered_at.is_(None),  # type: ignore[union-attr]
                earlier.failed_at.is_(None),  # type: ignore[union-attr]
            ),
        )
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRow).where(*pending, free, in_order).order_by(OutboxRow.id).limit(limit)
            ).scalars().all()
            jobs = []
            for row in rows:
                claimed = session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, *pending, free)
                    .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=OutboxRow.attempts + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
                if claimed:
                    assert row.id is not None
                    jobs.append(Job(row.id, row.team_id, row.deal_id, row.kind, json.loads(row.payload),
                                    row.response_url, row.attempts + 1))
            session.commit()
        return jobs

    def done(self, job: Job, now: datetime, note: str | None = None) -> None:
        self._set(job, delivered_at=now, claimed_until=None, last_error=note)

    def failed(self, job: Job, now: datetime, error: str) -> None:
        self._set(job, failed_at=now, claimed_until=None, last_error=error[:500])

    def retry_at(self, job: Job, when: datetime, error: str | None = None) -> None:
        self._set(job, due_at=when, claimed_until=None, last_error=error[:500] if error else None)

    def release(self, job: Job, when: datetime) -> None:
        """Not this job's turn yet (pacing, or its card is not up): back in the queue, attempt not counted."""
        self._set(job, due_at=when, claimed_until=None, attempts=max(job.attempts - 1, 0))

    def pending_card(self, deal_id: int) -> bool:
        with self._sessions() as session:
            found = session.execute(
                select(OutboxRow.id).where(
                    OutboxRow.deal_id == deal_id,
                    OutboxRow.kind == "card",
                    OutboxRow.delivered_at.is_(None),  # type: ignore[union-attr]
                    OutboxRow.failed_at.is_(None),  # type: ignore[union-attr]
                ).limit(1)
            ).first()
        return found is not None

    def _set(self, job: Job, **values: object) -> None:
        with self._sessions() as session:
            session.execute(
                update(OutboxRow).where(OutboxRow.id == job.id).values(**values)
                .execution_options(synchronize_session=False)
            )
            session.commit()
