"""The outbox's writing side: messages for Slack, queued in the transaction of the change that caused them.

Written on every command, so on SQLAlchemy Core with statements built once (the worker's side, claiming
and finishing rows, is `bot.delivery.queue`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Connection, ScalarSelect, bindparam, exists, func, insert, select, update

from bot.db.prepared import Runner, guard, prepare
from bot.db.tables import OutboxRow, table_of, utcnow
from bot.messages import CardPayload, MessageKind, NoteLine, NotePayload, Payload, dump

OUTBOX = table_of(OutboxRow)
MAX_NOTE_LINES = 10
_CARD_PAYLOAD = dump(MessageKind.CARD, CardPayload())
# Queued and not yet picked up by a worker.
_WAITING = (OUTBOX.c.team_id == bindparam("team_id"), OUTBOX.c.kind == bindparam("kind"),
            OUTBOX.c.delivered_at.is_(None), OUTBOX.c.failed_at.is_(None), OUTBOX.c.claimed_until.is_(None))
# A new message, as INSERT … SELECT so that in a move's batch it carries the batch's guard (prepared.py); inline:
# no implicit RETURNING of the new id, which nothing reads.
_ADD_COLUMNS = ("team_id", "deal_id", "kind", "channel_id", "payload", "response_url", "created_at", "due_at",
                "attempts")
_ADD = insert(OUTBOX).inline().from_select(list(_ADD_COLUMNS), select(
    *(bindparam(name, type_=OUTBOX.c[name].type) for name in _ADD_COLUMNS)).where(guard()))
_LATEST_NOTE = (select(OUTBOX.c.id, OUTBOX.c.payload)
                .where(*_WAITING, OUTBOX.c.deal_id == bindparam("deal_id"))
                .order_by(OUTBOX.c.id.desc()).limit(1))


def latest_waiting_note_id(deal_id: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The id of the deal's latest thread note not yet picked up (the row `waiting_note` reads), as a subquery
    a read of the deal can join on, for the team bound as `team_id`."""
    return select(func.max(OUTBOX.c.id)).where(
        OUTBOX.c.team_id == bindparam("team_id"), OUTBOX.c.kind == MessageKind.NOTE.value, OUTBOX.c.deal_id == deal_id,
        OUTBOX.c.delivered_at.is_(None), OUTBOX.c.failed_at.is_(None), OUTBOX.c.claimed_until.is_(None),
    ).scalar_subquery()
# Only into a note still waiting: not one a worker has claimed, nor one it has posted since it was read.
_MERGE_NOTE = (update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id"), OUTBOX.c.delivered_at.is_(None),
                                    OUTBOX.c.failed_at.is_(None), OUTBOX.c.claimed_until.is_(None), guard())
               .values(payload=bindparam("merged")))
_COUNT = select(func.count()).select_from(OUTBOX)
_WAITING_FOR_DEAL = _COUNT.where(*_WAITING, OUTBOX.c.deal_id == bindparam("deal_id"))
_WAITING_FOR_CHANNEL = _COUNT.where(*_WAITING, OUTBOX.c.channel_id == bindparam("channel"))
_WAITING_FOR_BOTH = _WAITING_FOR_CHANNEL.where(OUTBOX.c.deal_id == bindparam("deal_id"))
_WAITING_ANY = _COUNT.where(*_WAITING)
_CARD_COLUMNS = {"team_id": "team_id", "deal_id": "deal_id", "kind": "kind", "channel": "channel_id",
                 "payload": "payload", "created_at": "created_at", "due_at": "due_at", "attempts": "attempts"}
_NEW_CARD = select(*(bindparam(name, type_=OUTBOX.c[column].type) for name, column in _CARD_COLUMNS.items()))
_REFRESH_CARD = insert(OUTBOX).inline().from_select(
    list(_CARD_COLUMNS.values()),
    _NEW_CARD.where(~exists().where(*_WAITING, OUTBOX.c.deal_id == bindparam("deal_id")), guard()))


@dataclass(frozen=True)
class WaitingNote:
    row_id: int
    notes: tuple[NoteLine, ...]


def waiting_note_from(row_id: int | None, payload: str | None) -> WaitingNote | None:
    """A waiting note's row as read, if it has room for another line. One that does not read as a note is left
    alone, not merged into: the worker fails it with the reason, and this move's line goes out on its own rather
    than failing the move, and every later one on the deal, until then."""
    if row_id is None or payload is None:
        return None
    try:
        notes = NotePayload.model_validate_json(payload).notes
    except ValidationError:
        return None
    return WaitingNote(row_id, notes) if len(notes) < MAX_NOTE_LINES else None


class OutboxRepository:
    def __init__(self, connection: Connection, team_id: str, runner: Runner) -> None:
        self._connection, self._team_id = connection, team_id
        self._run = runner  # the statements every move runs, on the driver (prepared.py), batched with the deal's

    def add(self, kind: MessageKind, payload: Payload, *, channel: str, deal_id: int | None = None,
            response_url: str | None = None) -> None:
        """Queues a message; a payload not of the kind's model raises TypeError here, in the change's transaction."""
        values = self._new(kind, channel, deal_id, dump(kind, payload), response_url)
        self._run.write(prepare(_ADD, self._connection.dialect), values)

    def _new(self, kind: MessageKind, channel: str, deal_id: int | None, payload: str,
             response_url: str | None = None) -> dict[str, Any]:
        now = utcnow()
        return {"team_id": self._team_id, "deal_id": deal_id, "kind": MessageKind(kind).value, "channel_id": channel,
                "payload": payload, "response_url": response_url, "created_at": now, "due_at": now, "attempts": 0}

    def waiting_note(self, deal_id: int) -> WaitingNote | None:
        """The deal's latest thread note not yet picked up, if it has room for another line. Read before the
        change is written (on SQLite, outside the write lock); the deal's version keeps it current, since
        every note is added by a change that saves the deal."""
        found = self._connection.execute(_LATEST_NOTE, {"team_id": self._team_id, "kind": MessageKind.NOTE.value,
                                                        "deal_id": deal_id}).first()
        return waiting_note_from(found.id, found.payload) if found is not None else None

    def add_note(self, *, channel: str, deal_id: int, note: NoteLine, waiting: WaitingNote | None) -> None:
        """Thread notes not yet picked up merge into one message (up to MAX_NOTE_LINES lines): Slack takes
        about one message a second per channel, so a busy deal gets fewer, fuller notes, not a backlog.
        `waiting`: what `waiting_note` found for the deal when the change was read; if a worker took it
        meanwhile, the note is queued on its own."""
        alone = self._new(MessageKind.NOTE, channel, deal_id, dump(MessageKind.NOTE, NotePayload(notes=(note,))))
        dialect = self._connection.dialect
        if waiting is None:
            self._run.write(prepare(_ADD, dialect), alone)
            return
        merged = dump(MessageKind.NOTE, NotePayload(notes=(*waiting.notes, note)))
        self._run.write_else(prepare(_MERGE_NOTE, dialect), {"row_id": waiting.row_id, "merged": merged},
                             prepare(_ADD, dialect), alone)

    def pending(self, *, kind: MessageKind, channel: str | None = None, deal_id: int | None = None) -> bool:
        """A message of this kind (for this channel, this deal) is queued and not yet picked up: one
        waiting card, chart or Home refresh renders things as they are when sent, so one is enough."""
        params = {"team_id": self._team_id, "kind": MessageKind(kind).value, "channel": channel, "deal_id": deal_id}
        if channel is not None:
            query = _WAITING_FOR_BOTH if deal_id is not None else _WAITING_FOR_CHANNEL
        else:
            query = _WAITING_FOR_DEAL if deal_id is not None else _WAITING_ANY
        return bool(self._connection.execute(query, params).scalar_one())

    def stop_pending(self, reason: str) -> int:
        """Every message of the workspace not yet sent is failed with `reason` (the app can no longer post there), so
        no worker claims it again. Returns how many were stopped."""
        stop = (update(OUTBOX).where(OUTBOX.c.team_id == self._team_id, OUTBOX.c.delivered_at.is_(None),
                                     OUTBOX.c.failed_at.is_(None))
                .values(failed_at=utcnow(), claimed_until=None, last_error=reason))
        return self._connection.execute(stop).rowcount

    def refresh_card(self, *, channel: str, deal_id: int) -> None:
        """Queues a card refresh unless one is waiting (it will draw the deal as it is when sent), in one
        statement: INSERT … SELECT … WHERE NOT EXISTS."""
        now = utcnow()
        self._run.write(prepare(_REFRESH_CARD, self._connection.dialect), {
            "team_id": self._team_id, "kind": MessageKind.CARD.value, "deal_id": deal_id, "channel": channel,
            "payload": _CARD_PAYLOAD, "created_at": now, "due_at": now, "attempts": 0})
