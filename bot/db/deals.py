"""The deal repository: deals with their ledgers, bound to one workspace, on SQLAlchemy Core.

Every `/deal` command reads a deal and most write one, so this is the hot path. It uses Core statements
on the unit of work's connection (no ORM identity map or flush) and reads the deal, its workspace's policy and
what we know of its channel in one query; a move reads the deal's running figures (columns of its row) and only
its newest entries, never the whole ledger. A save writes only the columns that changed (the running figures among
them), the new ledger entries in one INSERT, and the entries newly taken back, and only if the deal's version is
still the one read: a deal read without a row lock (SQLite reads before it takes the write lock) may have been changed
meanwhile, and then `save` raises `DealChanged` and writes nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Insert, bindparam, func, insert, select, union_all, update

from bot.db import mapping
from bot.db.ledger_json import LedgerJSON, entries_of
from bot.db.outbox import OUTBOX, WaitingNote, latest_waiting_note_id, waiting_note_from
from bot.db.prepared import Runner, guard, prepare
from bot.db.tables import ChannelRow, DealRow, LedgerEntryRow, Workspace, table_of, utcnow
from bot.domain.errors import NotFound
from bot.domain.figures import NEEDS_ATTENTION
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Entry, Policy, Stage, Verdict
from bot.domain.tally import Tally

DEAL = table_of(DealRow)
ENTRY = table_of(LedgerEntryRow)
WORKSPACE = table_of(Workspace)
CHANNEL = table_of(ChannelRow)
_POLICY = [WORKSPACE.c[name].label(f"policy_{name}") for name in (*mapping.POLICY_COLUMNS, "managers")]
_OPEN = Stage.OPEN.value
_DEAL_COLUMNS = tuple(column.name for column in DEAL.columns)  # every deal query selects these first

# The hot statements are built once: building a statement costs more than running it on SQLite.
_IN_CONTEXT = select(DEAL, *_POLICY, CHANNEL.c.is_ext_shared.label("channel_ext_shared")).select_from(
    DEAL.outerjoin(WORKSPACE, WORKSPACE.c.team_id == DEAL.c.team_id).outerjoin(
        CHANNEL, (CHANNEL.c.team_id == DEAL.c.team_id) & (CHANNEL.c.channel_id == DEAL.c.channel_id)))
# Read without a lock, a deal comes with its ledger in the same row (as JSON, see ledger_json) and its thread
# note waiting to go out, so a command reads everything in one round trip. Not when locking: on PostgreSQL a
# FOR UPDATE that waited for another transaction re-reads the deal row but not what a subquery or a join read,
# so the ledger and the note would be the ones from before that transaction; they are then read by further
# statements, after the lock.
_NOTE = OUTBOX.alias("waiting_note")
# A move reads the deal's running figures (on its row) and only this many of its newest entries: enough for the
# rules' facts, the coach and the reply (which shows the latest 10 gives with their gets). Undo, a worth stated
# later and the rarer reads take the whole ledger.
LATEST_ENTRIES = 50


def _with_ledger(latest: int | None) -> Any:
    return _IN_CONTEXT.add_columns(
        LedgerJSON(DEAL.c.id, latest).label("ledger"), _NOTE.c.id.label("note_id"),
        _NOTE.c.payload.label("note_payload"),
    ).outerjoin(_NOTE, _NOTE.c.id == latest_waiting_note_id(DEAL.c.id))


_NAMED = DEAL.alias("named")
# By name: the open deal of that name, else the one closed most recently.
_NAMED_ID = select(_NAMED.c.id).where(_NAMED.c.team_id == bindparam("team_id"),
                                      _NAMED.c.name_key == bindparam("name_key")).order_by(
    (_NAMED.c.stage == _OPEN).desc(), _NAMED.c.closed_at.desc(), _NAMED.c.id.desc()).limit(1).scalar_subquery()


@functools.cache  # a handful: locked or not, and each number of newest entries a caller reads
def _reads(lock: bool, newest: int | None) -> tuple[Any, Any]:
    """The deal's read by id and by name; unlocked, with its `newest` entries (None: all) as JSON."""
    query = _IN_CONTEXT.with_for_update(of=DEAL) if lock else _with_ledger(newest)
    return (query.where(DEAL.c.team_id == bindparam("team_id"), DEAL.c.id == bindparam("deal_id")),
            query.where(DEAL.c.team_id == bindparam("team_id"), DEAL.c.id == _NAMED_ID))


_ENTRIES_OF_ONE = select(ENTRY).where(ENTRY.c.team_id == bindparam("team_id"),
                                      ENTRY.c.deal_id == bindparam("deal_id")).order_by(ENTRY.c.seq)
_LATEST_OF_ONE = select(ENTRY).where(ENTRY.c.team_id == bindparam("team_id"),
                                     ENTRY.c.deal_id == bindparam("deal_id")).order_by(
    ENTRY.c.seq.desc()).limit(LATEST_ENTRIES)
# SET: the columns given at execution, and the next version; only if the version is still the one read.
_TAKE_BACK = update(ENTRY).where(ENTRY.c.deal_id == bindparam("deal_id"), ENTRY.c.seq == bindparam("seq"),
                                 guard()).values(taken_back_at=bindparam("at"), taken_back_by=bindparam("by"))
_SET_WORTH = update(ENTRY).where(ENTRY.c.deal_id == bindparam("deal_id"), ENTRY.c.seq == bindparam("seq"),
                                 guard()).values(worth_cents=bindparam("worth"),
                                                 worth_estimated=bindparam("estimated"))
_UPDATE_DEAL = update(DEAL).where(DEAL.c.id == bindparam("row_id"), DEAL.c.version == bindparam("read_version")).values(
    version=DEAL.c.version + 1)


@functools.cache  # a move adds one or two entries: a handful of statements in all
def _insert_entries(count: int, columns: tuple[str, ...]) -> Insert:
    """One INSERT of `count` entries (`<column>_<i>` parameters): psycopg's executemany goes through its
    pipeline mode, which on loopback took twice as long as one statement with several rows. INSERT … SELECT, so
    that in a move's batch each row carries the batch's guard (prepared.py)."""
    # Typed, so each row's values are converted as the column's.
    rows = [select(*(bindparam(f"{name}_{i}", type_=ENTRY.c[name].type) for name in columns)).where(guard())
            for i in range(count)]
    return insert(ENTRY).inline().from_select(list(columns), rows[0] if count == 1 else union_all(*rows))


_ENTRIES_OF_MANY = select(ENTRY).where(ENTRY.c.team_id == bindparam("team_id"),
                                       ENTRY.c.deal_id.in_(bindparam("deal_ids", expanding=True))).order_by(
    ENTRY.c.deal_id, ENTRY.c.seq)


class DealChanged(Exception):
    """Someone else saved the deal after it was read: the change was judged on a deal that no longer is."""


@dataclass(frozen=True)
class DealInContext:
    """A deal with what every command needs beside it, read in one round trip."""

    deal: Deal
    policy: Policy
    ext_shared: bool | None  # what we last learned of its channel; None if never checked
    # The deal's thread note waiting to go out (`OutboxRepository.waiting_note`), when read with the deal
    # (read without a lock); `notes_read` False: not read, ask the outbox after the lock.
    waiting_note: WaitingNote | None = None
    notes_read: bool = False


class _StoredEntry(NamedTuple):
    """What `save` may change of an entry already stored."""

    taken_back: bool
    worth_cents: int | None
    worth_estimated: bool


class DealRepository:
    def __init__(self, connection: Connection, team_id: str, runner: Runner,
                 locks_rows: Callable[[], bool] = lambda: False) -> None:
        self._connection, self._team_id = connection, team_id
        self._run = runner  # the hot statements, on the driver (prepared.py), batched with the outbox's
        self._locks_rows = locks_rows  # the unit of work's answer: lock what is read, or check it when saving
        self._stored: dict[int, dict[str, Any]] = {}  # per deal: its row as read or last written
        # Per deal: each entry's changeable facts as stored (taken back, worth, estimated), so `save` writes changes.
        self._entries: dict[int, dict[int, _StoredEntry]] = {}

    # Reading -------------------------------------------------------------------------------------

    def get(self, *, name: str | None = None, deal_id: int | None = None, lock: bool | None = None,
            latest_only: bool = False, newest: int = LATEST_ENTRIES) -> Deal:
        """By id among all deals, or by name (case-insensitive): the open deal of that name, else the
        one closed most recently, so `/deal back acme` finds the deal walked away from."""
        return self.get_in_context(name=name, deal_id=deal_id, lock=lock, latest_only=latest_only,
                                   newest=newest).deal

    def get_in_context(self, *, name: str | None = None, deal_id: int | None = None,
                       lock: bool | None = None, latest_only: bool = False,
                       newest: int = LATEST_ENTRIES) -> DealInContext:
        """`get`, with the workspace's policy and the channel's sharing, in the same query. `latest_only`: with
        the ledger's running figures and its `newest` entries rather than the whole ledger (read locked, its
        `LATEST_ENTRIES`). `lock`: lock the deal's row; by default as the unit of work says (not while it reads
        first, see `save`)."""
        if lock is None:
            lock = self._locks_rows()
        by_id, by_name = _reads(lock, newest if latest_only else None)
        if deal_id is not None:
            query, params = by_id, {"team_id": self._team_id, "deal_id": deal_id}
        else:
            query, params = by_name, {"team_id": self._team_id, "name_key": (name or "").lower()}
        row = self._run.first(prepare(query, self._connection.dialect), params)
        if row is None:
            label = f"#{deal_id}" if deal_id is not None else f"`{name}`"
            raise NotFound(f"No deal {label} in this workspace. `/deal list` shows your open deals.")
        values = row._asdict()
        policy = mapping.policy_from_values({column.name[len("policy_"):]: values[column.name] for column in _POLICY})
        if lock:
            deal = self._load_latest(row) if latest_only else self._load([row])[0]
            return DealInContext(deal, policy, values["channel_ext_shared"])
        entries = [mapping.entry_from_columns(entry) for entry in entries_of(values["ledger"])]
        deal = self._remember(row, entries, mapping.tally_from_row(row) if latest_only else None)
        return DealInContext(deal, policy, values["channel_ext_shared"],
                             waiting_note_from(values["note_id"], values["note_payload"]), notes_read=True)

    def find_by_card(self, channel_id: str, card_ts: str) -> Deal | None:
        """The deal whose card is that message, with its running figures and latest entries (it is coached, not
        changed)."""
        query = select(DEAL).where(DEAL.c.team_id == self._team_id, DEAL.c.channel_id == channel_id,
                                   DEAL.c.card_ts == card_ts)
        row = self._connection.execute(query).first()
        return self._load_latest(row) if row else None

    def name_is_open(self, name: str) -> bool:
        query = select(func.count()).select_from(DEAL).where(
            DEAL.c.team_id == self._team_id, DEAL.c.name_key == name.lower(), DEAL.c.stage == _OPEN)
        return bool(self._connection.execute(query).scalar_one())

    def stale(self, idle_since: datetime, limit: int = 200) -> list[tuple[int, str, str, datetime]]:
        """Open deals untouched since `idle_since`: (id, name, owner, last change), oldest first."""
        query = (
            select(DEAL.c.id, DEAL.c.name, DEAL.c.owner_id, DEAL.c.updated_at)
            .where(DEAL.c.team_id == self._team_id, DEAL.c.stage == _OPEN, DEAL.c.updated_at < idle_since)
            .order_by(DEAL.c.updated_at)
            .limit(limit)
        )
        return [(row[0], row[1], row[2], mapping.aware(row[3])) for row in self._connection.execute(query)]

    def list_needing_attention(self, *, limit: int = 20) -> list[Deal]:
        """Open deals whose last verdict was escalate or walk away, most recently changed first (running figures,
        no entries)."""
        query = (
            select(DEAL)
            .where(DEAL.c.team_id == self._team_id, DEAL.c.stage == _OPEN,
                   DEAL.c.verdict.in_([verdict.word for verdict in NEEDS_ATTENTION]))
            .order_by(DEAL.c.updated_at.desc())
            .limit(limit)
        )
        return self._figures_only(self._connection.execute(query))

    def list_open(self, *, owner_id: str | None = None, limit: int = 200) -> list[Deal]:
        """Open deals with their running figures but no entries."""
        query = select(DEAL).where(DEAL.c.team_id == self._team_id, DEAL.c.stage == _OPEN)
        if owner_id is not None:
            query = query.where(DEAL.c.owner_id == owner_id)
        return self._figures_only(self._connection.execute(query.order_by(DEAL.c.id).limit(limit)))

    def card_of(self, deal_id: int) -> tuple[str, str | None] | None:
        """(channel, card ts) of a deal, without loading its ledger."""
        query = select(DEAL.c.channel_id, DEAL.c.card_ts).where(DEAL.c.team_id == self._team_id,
                                                                DEAL.c.id == deal_id)
        found = self._connection.execute(query).first()
        return (found[0], found[1]) if found else None

    # Writing -------------------------------------------------------------------------------------

    def add(self, deal: Deal, verdict: Verdict) -> Deal:
        values = mapping.new_deal_values(deal, verdict)
        deal.id = self._connection.execute(insert(DEAL).values(**values).returning(DEAL.c.id)).scalar_one()
        self._stored[deal.id] = {**values, "id": deal.id, "version": 0}
        self._entries[deal.id] = {}
        self.save(deal, verdict)  # its first entries, if any
        return deal

    def save(self, deal: Deal, verdict: Verdict, ledger: Ledger | None = None) -> None:
        """Writes what changed of the deal's facts and verdict, its new entries and entries newly taken back; raises
        `DealChanged` (here, or when the unit of work commits) if the deal was saved since it was read.
        `ledger`: the deal's ledger as it is now, if the caller has it (saves summing it again)."""
        assert deal.id is not None and deal.id in self._stored, "save() takes a deal this repository loaded"
        stored, now = self._stored[deal.id], utcnow()
        values = {**mapping.deal_values(deal, ledger), "verdict": verdict.word}
        if not deal.is_open and stored.get("closed_at") is None:
            values["closed_at"] = now
            if deal.stage is Stage.WALKED:
                values["walked_at"] = now
        elif deal.is_open:
            values["closed_at"] = None
        changed = {key: value for key, value in values.items() if stored.get(key) != value}
        changed["updated_at"] = now
        dialect = self._connection.dialect
        params = {"row_id": deal.id, "read_version": stored["version"], **changed}

        def unless_changed(rows: int) -> None:
            if not rows:
                raise DealChanged(deal.id)

        # The deal's writes and what is queued after them until the unit of work commits go to PostgreSQL as one
        # statement (prepared.py). The deal's update comes first: every write after it applies only if it changed
        # the row, and it takes the deal's row lock before they touch any row. An earlier save's writes go first.
        self._run.send_waiting()
        self._run.start_batch()
        self._run.write(prepare(_UPDATE_DEAL, dialect, changed), params, check=unless_changed, guards=True)
        stored.update(changed, version=stored["version"] + 1)
        stored_entries = self._entries[deal.id]
        new = [self._new_entry_values(deal, entry, now) for entry in deal.entries if entry.seq not in stored_entries]
        if new:
            statement = _insert_entries(len(new), tuple(new[0]))
            self._run.write(prepare(statement, dialect), {f"{name}_{i}": value for i, values in enumerate(new)
                                                          for name, value in values.items()})
        for entry in deal.entries:
            was = stored_entries.get(entry.seq)  # None: inserted above
            if entry.taken_back and was is not None and not was.taken_back:
                self._run.write(prepare(_TAKE_BACK, dialect), {"deal_id": deal.id, "seq": entry.seq, "at": now,
                                                               "by": entry.taken_back_by})
            if was is not None and (entry.worth_cents, entry.worth_estimated) != (was.worth_cents,
                                                                                  was.worth_estimated):
                # A worth stated later for a give of unknown or estimated worth.
                self._run.write(prepare(_SET_WORTH, dialect), {"deal_id": deal.id, "seq": entry.seq,
                                                               "worth": entry.worth_cents,
                                                               "estimated": entry.worth_estimated})
        self._remember_entries(deal.id, deal.entries)

    @staticmethod
    def _new_entry_values(deal: Deal, entry: Entry, now: datetime) -> dict[str, Any]:
        """An entry's INSERT values; one taken back before it was ever stored is inserted taken back (an UPDATE in
        the same batch could not see the row its sibling inserts)."""
        values = mapping.entry_values(deal, entry)
        if entry.taken_back:
            values.update(taken_back_at=now, taken_back_by=entry.taken_back_by)
        return values

    def set_card(self, deal_id: int, card_ts: str) -> None:
        self._connection.execute(update(DEAL).where(DEAL.c.team_id == self._team_id, DEAL.c.id == deal_id)
                                 .values(card_ts=card_ts))

    def set_coach_shown(self, deal_id: int, shown: tuple[str, ...]) -> None:
        """The coach's lines last shown on a deal, kept apart from its version: they are memory, not the deal's
        facts, and an LLM's phrasing that replaced the offline advice must not make a move's save look stale."""
        self._connection.execute(update(DEAL).where(DEAL.c.team_id == self._team_id, DEAL.c.id == deal_id)
                                 .values(coach_shown="\n".join(shown)))

    # Inside --------------------------------------------------------------------------------------

    def _load(self, rows: list[Any]) -> list[Deal]:
        """Deals from their rows, with their ledgers in one query (plain rows: ORM objects cost)."""
        if not rows:
            return []
        ids = [row.id for row in rows]
        if len(ids) == 1:
            query, params = _ENTRIES_OF_ONE, {"team_id": self._team_id, "deal_id": ids[0]}
        else:
            query, params = _ENTRIES_OF_MANY, {"team_id": self._team_id, "deal_ids": ids}
        by_deal: dict[int, list[Any]] = {i: [] for i in ids}
        for entry in self._connection.execute(query, params):
            by_deal[entry.deal_id].append(entry)
        return [self._remember(row, [mapping.entry_from_row(entry) for entry in by_deal[row.id]]) for row in rows]

    def _figures_only(self, rows: Iterable[Any]) -> list[Deal]:
        """Deals for a list: their rows and running figures, no entries (a list shows figures and verdicts)."""
        return [self._remember(row, [], mapping.tally_from_row(row)) for row in rows]

    def _load_latest(self, row: Any) -> Deal:
        """The deal of a row with its running figures and its newest entries (read after the row's lock)."""
        latest = self._connection.execute(_LATEST_OF_ONE, {"team_id": self._team_id, "deal_id": row.id})
        entries = [mapping.entry_from_row(entry) for entry in reversed(list(latest))]
        return self._remember(row, entries, mapping.tally_from_row(row))

    def _remember(self, row: Any, entries: list[Entry], tally: Tally | None = None) -> Deal:
        """The deal of a row (its columns first) and its entries, kept as read so `save` writes only changes.
        `tally`: the running figures, when `entries` are only the newest."""
        self._stored[row.id] = dict(zip(_DEAL_COLUMNS, row[:len(_DEAL_COLUMNS)], strict=True))
        self._remember_entries(row.id, entries)
        return mapping.deal_from_row(row, entries, tally)

    def _remember_entries(self, deal_id: int, entries: list[Entry]) -> None:
        self._entries[deal_id] = {entry.seq: _StoredEntry(entry.taken_back, entry.worth_cents, entry.worth_estimated)
                                  for entry in entries}
