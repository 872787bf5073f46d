"""A fake unit of work: in-memory repositories with the interface the services use, for tests in milliseconds."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from bot.db.deals import LATEST_ENTRIES, DealChanged, DealInContext
from bot.db.outbox import MAX_NOTE_LINES, WaitingNote
from bot.domain.errors import NotFound
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Policy, Verdict
from bot.domain.tally import Tally
from bot.messages import CardPayload, MessageKind, NoteLine, NotePayload, Payload, dump

# A write waiting for the commit, applied to the database then (or dropped with the unit of work).
Write = Callable[["FakeDatabase"], object]  # what a write returns is dropped


@dataclass
class QueuedRow:
    """An outbox row as a service queued it: the payload is the kind's model, not its JSON."""

    id: int
    team_id: str
    kind: MessageKind
    channel: str
    deal_id: int | None
    payload: Payload
    response_url: str | None = None
    taken: bool = False  # a worker claimed or posted it: no longer waiting


@dataclass
class FakeDatabase:
    """What the fake units of work commit to, shared by all of them, every team's rows side by side."""

    policies: dict[str, Policy] = field(default_factory=dict)
    deals: dict[int, tuple[str, Deal, int, Verdict]] = field(default_factory=dict)  # id: team, deal, version, verdict
    outbox: list[QueuedRow] = field(default_factory=list)
    sent_once: set[tuple[str, str]] = field(default_factory=set)
    ext_shared: dict[tuple[str, str], bool] = field(default_factory=dict)
    commits: int = 0
    reads: list[bool] = field(default_factory=list)  # each deal read: whether it locked the deal
    changed_behind: int = 0  # how many more deal reads someone else's save follows, before the reader writes

    def deal(self, deal_id: int) -> Deal:
        return copy.deepcopy(self.deals[deal_id][1])

    def rows(self, kind: MessageKind | None = None) -> list[QueuedRow]:
        return [row for row in self.outbox if kind is None or row.kind is kind]

    def someone_saves(self, deal_id: int) -> None:
        team, deal, version, verdict = self.deals[deal_id]
        self.deals[deal_id] = (team, deal, version + 1, verdict)


class FakeDeals:
    def __init__(self, db: FakeDatabase, team_id: str, writes: list[Write],
                 locks_rows: Callable[[], bool] = lambda: False) -> None:
        self._db, self._team_id, self._writes = db, team_id, writes
        self._locks_rows = locks_rows
        self._read_versions: dict[int, int] = {}

    def get_in_context(self, *, name: str | None = None, deal_id: int | None = None,
                       lock: bool | None = None, latest_only: bool = False,
                       newest: int = LATEST_ENTRIES) -> DealInContext:
        if lock is None:
            lock = self._locks_rows()
        found = self._find(name, deal_id)
        if found is None:
            raise NotFound(f"No deal {f'#{deal_id}' if deal_id is not None else name} in this workspace.")
        deal_id, (_team, deal, version, _verdict) = found
        self._read_versions[deal_id] = version
        self._db.reads.append(lock)
        if self._db.changed_behind and not lock:
            self._db.changed_behind -= 1
            self._db.someone_saves(deal_id)
        policy = self._db.policies.get(self._team_id, Policy())
        shared = self._db.ext_shared.get((self._team_id, deal.channel_id))
        read = copy.deepcopy(deal)
        if latest_only:  # as the real one: the running figures of the whole ledger, and its newest entries
            read.tally, read.entries = Tally.of(read.entries), read.entries[-newest:]
        if lock:  # as the real one: read locked, the waiting note is read after the lock
            return DealInContext(read, policy, shared)
        return DealInContext(read, policy, shared, _waiting_note(self._db, self._team_id, deal_id), notes_read=True)

    def get(self, *, name: str | None = None, deal_id: int | None = None, lock: bool | None = None,
            latest_only: bool = False, newest: int = LATEST_ENTRIES) -> Deal:
        return self.get_in_context(name=name, deal_id=deal_id, lock=lock, latest_only=latest_only,
                                   newest=newest).deal

    def name_is_open(self, name: str) -> bool:
        return any(team == self._team_id and deal.is_open and deal.name.lower() == name.lower()
                   for team, deal, _, _ in self._db.deals.values())

    def add(self, deal: Deal, verdict: Verdict) -> Deal:
        deal.id = max(self._db.deals, default=0) + 1
        saved, team = copy.deepcopy(deal), self._team_id
        self._read_versions[deal.id] = 0

        def insert(db: FakeDatabase) -> None:
            db.deals[saved.id] = (team, saved, 0, verdict)  # type: ignore[index]

        self._writes.append(insert)
        return deal

    def save(self, deal: Deal, verdict: Verdict, ledger: Ledger | None = None) -> None:
        """As the real one: only if no one saved the deal since it was read."""
        assert deal.id is not None and deal.id in self._read_versions, "save() takes a deal this repository read"
        read = self._read_versions[deal.id]
        if deal.id in self._db.deals and self._db.deals[deal.id][2] != read:
            raise DealChanged(deal.id)
        saved, team = copy.deepcopy(deal), self._team_id
        if deal.tally is not None and deal.id in self._db.deals:  # read with its newest entries only
            stored = {entry.seq: entry for entry in copy.deepcopy(self._db.deals[deal.id][1].entries)}
            stored.update({entry.seq: entry for entry in saved.entries})
            saved.entries, saved.tally = [stored[seq] for seq in sorted(stored)], None
        self._read_versions[deal.id] = read + 1

        def update(db: FakeDatabase) -> None:
            db.deals[saved.id] = (team, saved, read + 1, verdict)  # type: ignore[index]

        self._writes.append(update)

    def _find(self, name: str | None, deal_id: int | None) -> tuple[int, tuple[str, Deal, int, Verdict]] | None:
        ours = [(i, row) for i, row in self._db.deals.items() if row[0] == self._team_id]
        if deal_id is not None:
            return next(((i, row) for i, row in ours if i == deal_id), None)
        named = [(i, row) for i, row in ours if row[1].name.lower() == (name or "").lower()]
        # The open deal of that name, else the one closed last (here: the newest, as the fake keeps no closing time).
        named.sort(key=lambda found: (found[1][1].is_open, found[0]))
        return named[-1] if named else None


class FakeOutbox:
    def __init__(self, db: FakeDatabase, team_id: str, writes: list[Write]) -> None:
        self._db, self._team_id, self._writes = db, team_id, writes

    def add(self, kind: MessageKind, payload: Payload, *, channel: str, deal_id: int | None = None,
            response_url: str | None = None) -> None:
        dump(kind, payload)  # as the real one: another kind's payload raises here, in the change's transaction
        self._writes.append(lambda db: self._queue(db, kind, payload, channel, deal_id, response_url))

    def refresh_card(self, *, channel: str, deal_id: int) -> None:
        def refresh(db: FakeDatabase) -> None:
            if not _waiting(db, self._team_id, MessageKind.CARD, deal_id=deal_id):  # one waiting card is enough
                self._queue(db, MessageKind.CARD, CardPayload(), channel, deal_id)

        self._writes.append(refresh)

    def add_note(self, *, channel: str, deal_id: int, note: NoteLine, waiting: WaitingNote | None) -> None:
        def add(db: FakeDatabase) -> None:
            row = next((r for r in db.outbox if waiting is not None and r.id == waiting.row_id and not r.taken), None)
            if row is None or waiting is None:  # none waited, or a worker took it meanwhile: the note goes alone
                self._queue(db, MessageKind.NOTE, NotePayload(notes=(note,)), channel, deal_id)
            else:
                row.payload = NotePayload(notes=(*waiting.notes, note))

        self._writes.append(add)

    def waiting_note(self, deal_id: int) -> WaitingNote | None:
        return _waiting_note(self._db, self._team_id, deal_id)

    def pending(self, *, kind: MessageKind, channel: str | None = None, deal_id: int | None = None) -> bool:
        return bool(_waiting(self._db, self._team_id, kind, channel=channel, deal_id=deal_id))

    def _queue(self, db: FakeDatabase, kind: MessageKind, payload: Payload, channel: str, deal_id: int | None,
               response_url: str | None = None) -> None:
        db.outbox.append(QueuedRow(len(db.outbox) + 1, self._team_id, kind, channel, deal_id, payload, response_url))


class FakeSentOnce:
    def __init__(self, db: FakeDatabase, team_id: str, writes: list[Write]) -> None:
        self._db, self._team_id, self._writes = db, team_id, writes
        self._claimed: set[str] = set()

    def claim(self, key: str) -> bool:
        if (self._team_id, key) in self._db.sent_once or key in self._claimed:
            return False
        self._claimed.add(key)
        self._writes.append(lambda db: db.sent_once.add((self._team_id, key)))
        return True


class FakeWorkspaces:
    def __init__(self, db: FakeDatabase, team_id: str, writes: list[Write]) -> None:
        self._db, self._team_id, self._writes = db, team_id, writes

    def ensure(self) -> None:
        self._writes.append(lambda db: db.policies.setdefault(self._team_id, Policy()))

    def policy(self) -> Policy:
        return self._db.policies.get(self._team_id, Policy())


class FakeChannels:
    def __init__(self, db: FakeDatabase, team_id: str) -> None:
        self._db, self._team_id = db, team_id

    def is_ext_shared(self, channel_id: str) -> bool | None:
        return self._db.ext_shared.get((self._team_id, channel_id))


class FakeUnitOfWork:
    """Reads see what was committed; writes wait for `commit()` and are dropped if it never comes."""

    def __init__(self, db: FakeDatabase, team_id: str, *, read_only: bool, reads_first: bool) -> None:
        self._db, self.team_id, self._read_only = db, team_id, read_only
        self._reads_first, self._writing = reads_first and not read_only, False
        self._writes: list[Write] = []
        self.deals = FakeDeals(db, team_id, self._writes, self._locks_rows)
        self.outbox = FakeOutbox(db, team_id, self._writes)
        self.sent_once = FakeSentOnce(db, team_id, self._writes)
        self.workspaces = FakeWorkspaces(db, team_id, self._writes)
        self.channels = FakeChannels(db, team_id)

    def _locks_rows(self) -> bool:
        return not self._read_only and (not self._reads_first or self._writing)

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._writes.clear()  # rolled back, as anything not committed

    def write(self) -> None:
        self._writing = True

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        for write in self._writes:
            write(self._db)
        self._writes.clear()
        self._db.commits += 1


class FakeUnitOfWorkFactory:
    """Called as the real factory: `uow(team_id, read_only=…, reads_first=…)`."""

    def __init__(self, db: FakeDatabase | None = None) -> None:
        self.db = db or FakeDatabase()

    def __call__(self, team_id: str, *, read_only: bool = False, reads_first: bool = False) -> FakeUnitOfWork:
        if not team_id:
            raise ValueError("a unit of work needs the Slack team id it is scoped to")
        return FakeUnitOfWork(self.db, team_id, read_only=read_only, reads_first=reads_first)


def _waiting(db: FakeDatabase, team_id: str, kind: MessageKind, *, channel: str | None = None,
             deal_id: int | None = None) -> list[QueuedRow]:
    return [row for row in db.outbox if row.team_id == team_id and row.kind is kind and not row.taken
            and (channel is None or row.channel == channel) and (deal_id is None or row.deal_id == deal_id)]


def _waiting_note(db: FakeDatabase, team_id: str, deal_id: int) -> WaitingNote | None:
    """The deal's latest note not yet taken, if it has room for another line (as `OutboxRepository.waiting_note`)."""
    notes = _waiting(db, team_id, MessageKind.NOTE, deal_id=deal_id)
    if not notes:
        return None
    latest = notes[-1]
    assert isinstance(latest.payload, NotePayload)
    return WaitingNote(latest.id, latest.payload.notes) if len(latest.payload.notes) < MAX_NOTE_LINES else None
