"""Claiming, finishing and rescheduling outbox rows; safe with several processes delivering side by side.

A channel's messages go out one at a time, oldest first, at most one per `pace` seconds, whichever
process delivers them: the claim itself only offers a channel's oldest pending row, and only when
nothing was posted there within the pace. So a deal's card always goes up before its thread notes,
a second card is never posted while the first is in flight, and replicas together keep Slack's
one-message-a-second-per-channel limit."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, FromClause, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from bot.db.engine import reading
from bot.db.tables import OutboxRow, table_of

CLAIM_SECONDS = 60  # a claim outlives any delivery attempt; a crashed process's rows come back after it
BATCH = 20
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: int
    team_id: str
    deal_id: int | None
    kind: str
    channel_id: str
    payload: str  # as stored: the worker reads it, as its kind's model, and fails the row if it cannot
    response_url: str | None
    attempts: int
    failures: int  # attempts that failed on an error, before this one


_OUTBOX = table_of(OutboxRow)
_RECENT = _OUTBOX.alias("recent")


def _pending(table: FromClause) -> tuple[ColumnElement[bool], ColumnElement[bool]]:  # the outbox or an alias of it
    return (table.c.delivered_at.is_(None), table.c.failed_at.is_(None))


# Built once: the worker claims after every burst of commits, and building these costs more than running them.
_FREE = or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < bindparam("now"))
_PENDING = _OUTBOX.alias("pending")
# The channels with pending rows, one index seek each on ix_outbox_channel_pending (whose WHERE `_pending` repeats,
# so both databases use it): a walk from one channel to the next rather than a look at every pending row. A busy
# channel paced at a message a second gathers thousands of them, and looking at each one on every claim cost
# PostgreSQL more CPU than the requests that queued them.
_FIRST_CHANNEL = select(func.min(_PENDING.c.channel_id).label("channel_id")).where(*_pending(_PENDING))
_CHANNELS = _FIRST_CHANNEL.cte("pending_channel", recursive=True)
_NEXT_CHANNEL = select(func.min(_PENDING.c.channel_id)).where(
    *_pending(_PENDING), _PENDING.c.channel_id > _CHANNELS.c.channel_id).scalar_subquery()
_CHANNELS = _CHANNELS.union_all(select(_NEXT_CHANNEL.label("channel_id")).where(_CHANNELS.c.channel_id.is_not(None)))
# Each channel's oldest pending row: only it may go out (a channel's messages go in order). Its id, one seek
# per channel; the rows themselves come by id in a second query (as one join, PostgreSQL planned a scan of
# every row instead).
_HEADS = select(select(func.min(_PENDING.c.id)).where(
    *_pending(_PENDING), _PENDING.c.channel_id == _CHANNELS.c.channel_id).scalar_subquery()).where(
    _CHANNELS.c.channel_id.is_not(None))
_CLAIMABLE = (
    select(_OUTBOX)
    .where(
        _OUTBOX.c.id.in_(bindparam("heads", expanding=True)), *_pending(_OUTBOX), _OUTBOX.c.due_at <= bindparam("now"),
        _FREE,
        # … in a channel nothing was posted to within the pace
        ~exists().where(_RECENT.c.channel_id == _OUTBOX.c.channel_id,
                        _RECENT.c.delivered_at > bindparam("rested_since")),
    )
    .order_by(_OUTBOX.c.id)
    .limit(bindparam("limit"))
)
# Rechecked, not only selected: another process may have tried the row since the select and put it off
# (Retry-After, backoff); without the due check it would go out again at once.
_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), *_pending(_OUTBOX), _OUTBOX.c.due_at <= bindparam("now"), _FREE)
    .values(claimed_until=bindparam("until"), attempts=_OUTBOX.c.attempts + 1)
)


class OutboxQueue:
    def __init__(self, sessions: sessionmaker[Session], *, pace_seconds: float = 1.0) -> None:
        self._sessions = sessions
        self._pace = timedelta(seconds=pace_seconds)
        # What became of claimed messages that the database could not be told (it was away): written before the
        # next claim, so a message sent is not sent again when its claim runs out, and its channel is not held
        # back for the rest of the claim.
        self._untold: dict[int, dict[str, object]] = {}
        self._untold_lock = threading.Lock()

    def claim(self, now: datetime, limit: int = BATCH) -> list[Job]:
        """Each channel's oldest pending row, if due and its channel is not paced, claimed by one
        conditional UPDATE so only one process gets it. The rows are found in a read-only transaction first:
        mostly there are none (a channel is paced, or the rows are taken), and on SQLite a write transaction
        would queue with the requests for the one write lock only to find that out. Finding them costs the same
        however many messages wait: the oldest of each channel is found by one index seek."""
        self._tell_untold()  # raises while the database is still away: nothing is claimed meanwhile
        with reading(self._sessions) as connection:
            heads = [head for head in connection.execute(_HEADS).scalars() if head is not None]
            params = {"heads": heads, "now": now, "rested_since": now - self._pace, "limit": limit}
            rows = connection.execute(_CLAIMABLE, params).all() if heads else []
        if not rows:
            return []
        until = now + timedelta(seconds=CLAIM_SECONDS)
        jobs = []
        with self._sessions() as session:
            connection = session.connection()
            for row in rows:
                if connection.execute(_CLAIM, {"row_id": row.id, "now": now, "until": until}).rowcount:
                    jobs.append(Job(row.id, row.team_id, row.deal_id, row.kind, row.channel_id,
                                    row.payload, row.response_url, row.attempts + 1, row.failures))
            session.commit()
        return jobs

    def done(self, job: Job, now: datetime, note: str | None = None) -> None:
        self._set(job, delivered_at=now, claimed_until=None, last_error=note)

    def failed(self, job: Job, now: datetime, error: str) -> None:
        self._set(job, failed_at=now, claimed_until=None, last_error=error[:500])

    def retry_at(self, job: Job, when: datetime, error: str | None = None, *, failed: bool = False) -> None:
        """Puts the message off until `when`; `failed`: this attempt failed on an error (not a rate limit)."""
        values: dict[str, object] = {"due_at": when, "claimed_until": None,
                                     "last_error": error[:500] if error else None}
        if failed:
            values["failures"] = job.failures + 1
        self._set(job, **values)

    def _set(self, job: Job, **values: object) -> None:
        """Writes what became of a claimed message; if the database is away, keeps it to write before the next
        claim (the caller goes on: what it did, such as a post to Slack, stands)."""
        try:
            self._update(job.id, values)
        except SQLAlchemyError as exc:
            log.warning("outbox %s %s: could not record its outcome (%s); recording it before the next claim",
                        job.kind, job.id, type(exc).__name__)
            with self._untold_lock:
                self._untold[job.id] = {**self._untold.get(job.id, {}), **values}

    def _tell_untold(self) -> None:
        with self._untold_lock:
            while self._untold:
                row_id, values = next(iter(self._untold.items()))
                self._update(row_id, values)
                del self._untold[row_id]

    def _update(self, row_id: int, values: dict[str, object]) -> None:
        with self._sessions() as session:
            session.execute(
                update(OutboxRow).where(col(OutboxRow.id) == row_id).values(**values)
                .execution_options(synchronize_session=False)
            )
            session.commit()
