"""Claiming, finishing and rescheduling outbox rows; safe with several processes delivering side by side.

A channel's messages go out one at a time, oldest first, at most one per `pace` seconds, whichever
process delivers them: the claim itself only offers a channel's oldest pending row, and only when
nothing was posted there within the pace. So a deal's card always goes up before its thread notes,
a second card is never posted while the first is in flight, and replicas together keep Slack's
one-message-a-second-per-channel limit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased, sessionmaker
from sqlmodel import Session

from bot.db.tables import OutboxRow

CLAIM_SECONDS = 60  # a claim outlives any delivery attempt; a crashed process's rows come back after it
BATCH = 20


@dataclass(frozen=True)
class Job:
    id: int
    team_id: str
    deal_id: int | None
    kind: str
    channel_id: str
    payload: dict
    response_url: str | None
    attempts: int


def _pending(row: type[OutboxRow]) -> tuple:
    return (row.delivered_at.is_(None), row.failed_at.is_(None))  # type: ignore[union-attr]


class OutboxQueue:
    def __init__(self, sessions: sessionmaker[Session], *, pace_seconds: float = 1.0) -> None:
        self._sessions = sessions
        self._pace = timedelta(seconds=pace_seconds)

    def claim(self, now: datetime, limit: int = BATCH) -> list[Job]:
        """Each channel's oldest pending row, if due and its channel is not paced, claimed by one
        conditional UPDATE so only one process gets it."""
        free = or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now)  # type: ignore[union-attr]
        earlier, recent = aliased(OutboxRow), aliased(OutboxRow)
        oldest_in_channel = ~exists().where(
            earlier.channel_id == OutboxRow.channel_id, earlier.id < OutboxRow.id, *_pending(earlier)
        )
        channel_rested = ~exists().where(
            recent.channel_id == OutboxRow.channel_id, recent.delivered_at > now - self._pace
        )
        query = (
            select(OutboxRow)
            .where(*_pending(OutboxRow), OutboxRow.due_at <= now, free, oldest_in_channel, channel_rested)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        with self._sessions() as session:
            rows = session.execute(query).scalars().all()
            jobs = []
            for row in rows:
                # Rechecked, not only selected: another process may have tried the row since the select
                # and put it off (Retry-After, backoff); without the due check it would go out again at once.
                claimed = session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, *_pending(OutboxRow), OutboxRow.due_at <= now, free)
                    .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=OutboxRow.attempts + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
                if claimed:
                    assert row.id is not None
                    jobs.append(Job(row.id, row.team_id, row.deal_id, row.kind, row.channel_id,
                                    json.loads(row.payload), row.response_url, row.attempts + 1))
            session.commit()
        return jobs

    def done(self, job: Job, now: datetime, note: str | None = None) -> None:
        self._set(job, delivered_at=now, claimed_until=None, last_error=note)

    def failed(self, job: Job, now: datetime, error: str) -> None:
        self._set(job, failed_at=now, claimed_until=None, last_error=error[:500])

    def retry_at(self, job: Job, when: datetime, error: str | None = None) -> None:
        self._set(job, due_at=when, claimed_until=None, last_error=error[:500] if error else None)

    def _set(self, job: Job, **values: object) -> None:
        with self._sessions() as session:
            session.execute(
                update(OutboxRow).where(OutboxRow.id == job.id).values(**values)
                .execution_options(synchronize_session=False)
            )
            session.commit()
