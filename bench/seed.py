"""Seeds a Deal Coach database for `bench/scale.py` (many deals and concessions) and `bench/growth.py` (long
ledgers on deals opened through the app), fast, consistent with the app.

Every deal is built with the domain the app uses (`bot.domain.deals`: `new_deal`, `concession_entry`,
`get_entry`, `close`; concessions parsed by `bot.commands.parse_command` from typical `/deal concede` texts),
judged with `bot.domain.rules.judge`, and turned into rows with `bot.db.mapping` (`new_deal_row`,
`entry_values`), so the denormalised columns (verdict, effective price, concession count, stage, closed_at)
hold what the app would have written. The rows then go in with bulk INSERTs through SQLAlchemy Core, a
chunk of deals at a time; nothing goes through the ORM or the services.

Spread: `reps` owners across 20 channels, deals opened over the last `weeks` weeks, concessions over the two
weeks after each deal opened (never in the future), about 15% of deals won, 10% lost and 5% walked away.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import servers  # noqa: F401 - puts this checkout first on sys.path, before `bot` is imported
from sqlalchemy import Engine, bindparam, func, insert, select, update

from bot.commands import parse_command
from bot.commands import types as commands
from bot.db import mapping
from bot.db.deals import LATEST_ENTRIES
from bot.db.tables import DealRow, LedgerEntryRow, Workspace
from bot.domain import deals as domain
from bot.domain.errors import InputError
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Entry, Policy, Stage
from bot.domain.money import Amount
from bot.domain.reader import read_concession, terms_of
from bot.domain.rules import judge
from bot.domain.tally import Tally

# (weight, `/deal concede` text after the deal's name): what reps typically log.
CONCESSIONS = (
    (30, "1% for a two-year term"),
    (20, "0.5%"),
    (10, "2% for a case study"),
    (10, "free onboarding worth 2k for logo rights"),
    (10, "terms net 60 worth 1k"),
    (10, "cut 1k for a faster signature"),
    (10, "free training for 10 users worth 3k"),
)
CHANNELS = 20
CHUNK = 500  # deals per INSERT batch
WRITE_CHUNK = 5000  # ledger entries per transaction in lengthen()


@dataclass(frozen=True)
class Seeded:
    deals: int
    concessions: int
    gets: int
    seconds: float


def _specs() -> list[tuple[int, commands.Concede]]:
    parsed = []
    for weight, text in CONCESSIONS:
        command = parse_command(f"concede seed {text}")
        assert isinstance(command, commands.Concede)
        parsed.append((weight, command))
    return parsed


def build_deal(rng: random.Random, index: int, concessions: int, *, team: str, reps: int, weeks: int,
               now: datetime, specs: list[tuple[int, commands.Concede]], policy: Policy) -> tuple[Deal, datetime]:
    """One deal with `concessions` concessions (and their gets), maybe closed; returns it and its last change."""
    owner = f"U0REP{rng.randrange(reps):02d}"
    list_cents = rng.randrange(50, 500) * 1000_00
    opened = now - timedelta(seconds=rng.uniform(0, weeks * 7 * 86400))
    deal = domain.new_deal(
        team_id=team, name=f"seed-{index}", owner_id=owner, channel_id=f"C0SEED{index % CHANNELS:02d}",
        list_price=Amount(list_cents), floor=Amount(list_cents * rng.randrange(55, 80) // 100), target=None,
        cap_bp=None, customer=f"Customer {index}", policy=policy, by_manager=False, at=opened,
    )
    if rng.random() < 0.5:  # half the deals are qualified before the first concession
        deal.qualification.needs = deal.qualification.decider = True
        deal.qualification.timeline = deal.qualification.budget = True
    span = min((now - opened).total_seconds(), 14 * 86400)
    moments = sorted(opened + timedelta(seconds=rng.uniform(0, span)) for _ in range(concessions))
    weights = [weight for weight, _ in specs]
    for at in moments:
        command = rng.choices([spec for _, spec in specs], weights)[0]
        try:  # read as the concede service reads the rep's words, against the deal as it stands
            reading = read_concession(command.words, terms_of(deal))
            entry = domain.concession_entry(deal, reading.spec, by=owner, at=at)
        except InputError:  # would take the price to zero: a rep could not log it either
            continue
        deal.entries.append(entry)
        if reading.get:
            deal.entries.append(domain.get_entry(deal, reading.get, None, by=owner, at=at, answering=entry))
    last = moments[-1] if moments else opened
    outcome = rng.random()
    if outcome < 0.30:
        stage = Stage.WON if outcome < 0.15 else Stage.LOST if outcome < 0.25 else Stage.WALKED
        last = min(now, last + timedelta(hours=rng.uniform(1, 72)))
        domain.close(deal, stage, price=None, note="seeded")
    return deal, last


def deal_row(deal: Deal, last: datetime, policy: Policy) -> dict:
    """The deal's row as the app writes it (the deal repository's add and save), without its id."""
    verdict = judge(deal, policy).verdict
    if hasattr(mapping, "new_deal_values"):  # the mapping gives Core values
        values = mapping.new_deal_values(deal, verdict)
    else:  # the mapping fills an ORM row
        row = mapping.new_deal_row(deal)
        values = {column.name: getattr(row, column.name) for column in DealRow.__table__.columns}
        values["verdict"] = verdict.word
    values.pop("id", None)
    assert deal.created_at is not None
    values.update(updated_at=last, closed_at=last if not deal.is_open else None,
                  card_ts=f"{deal.created_at.timestamp():.6f}")
    if "walked_at" in values:  # the column the summaries count walk-aways by, where the schema has it
        values["walked_at"] = last if deal.stage.value == "walked" else None
    return values


def seed(engine: Engine, *, team: str, deals: int, concessions: int, reps: int, weeks: int,
         seed_value: int = 20261122) -> Seeded:
    """Inserts `deals` deals sharing about `concessions` concessions between them (each deal's count drawn
    around the mean)."""
    started = datetime.now(UTC)
    rng = random.Random(seed_value)
    specs, policy, now = _specs(), Policy(), datetime.now(UTC)
    mean = concessions / deals
    counts = [max(0, round(rng.gauss(mean, mean / 2))) for _ in range(deals)]
    counts[-1] = max(0, counts[-1] + concessions - sum(counts))  # the total asked for (a few may not fit a deal)
    with engine.begin() as connection:
        if connection.execute(Workspace.__table__.select().where(Workspace.team_id == team)).first() is None:
            connection.execute(insert(Workspace), [{"team_id": team, "created_at": now, "updated_at": now}])
    made = gets = 0
    for start in range(0, deals, CHUNK):
        built = [build_deal(rng, i, counts[i], team=team, reps=reps, weeks=weeks, now=now, specs=specs,
                            policy=policy) for i in range(start, min(deals, start + CHUNK))]
        with engine.begin() as connection:
            table = DealRow.__table__
            ids = connection.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True),
                [deal_row(deal, last, policy) for deal, last in built],
            ).scalars().all()
            entries = []
            for (deal, _), deal_id in zip(built, ids, strict=True):
                deal.id = deal_id
                entries += [mapping.entry_values(deal, entry) for entry in deal.entries]
            if entries:
                connection.execute(insert(LedgerEntryRow.__table__), entries)
        made += sum(1 for e in entries if e["kind"] == "concession")
        gets += sum(1 for e in entries if e["kind"] == "get")
    return Seeded(deals, made, gets, (datetime.now(UTC) - started).total_seconds())


# ----- long ledgers on deals the app opened ------------------------------------------------------------------


def lengthen(engine: Engine, *, team: str, names: list[str], entries: int, words: str = "0.01% for x") -> None:
    """Gives each named open deal (opened through the app, no entries yet) `entries` ledger entries: concessions
    read from `words` each with its get, as `/deal concede <deal> {words}` logs them (the last one's get left
    out when `entries` is odd). The deal's row is updated as the deal repository's save() updates it
    (`mapping.deal_values`, the verdict judged by the rules, the version moved on), so its denormalised columns
    hold what the app would have written (all but the coach's lines shown, left empty); the entries go in with
    bulk INSERTs. Checked against the app: three `/deal concede x 0.01% for x` and `entries=6` give the same
    entries and deal columns."""
    deal_table, entry_table = DealRow.__table__, LedgerEntryRow.__table__
    with engine.connect() as connection:
        workspace = connection.execute(select(Workspace).where(Workspace.team_id == team)).first()
        policy = mapping.policy_from_row(workspace)  # type: ignore[arg-type]
        rows = connection.execute(select(deal_table).where(deal_table.c.team_id == team,
                                                           deal_table.c.name_key.in_([n.lower() for n in names]))).all()
        ids = [row.id for row in rows]
        if len(rows) != len(names) or connection.execute(
                select(func.count()).select_from(entry_table).where(entry_table.c.deal_id.in_(ids))).scalar():
            raise RuntimeError(f"lengthen: {len(names)} deals named, {len(rows)} found; they must have no entries")
    saves, batch = [], []
    for row in rows:  # built before writing, so no write lock is held meanwhile (SQLite has one for all)
        deal = mapping.deal_from_rows(row, [])
        if not deal.is_open:
            raise RuntimeError(f"lengthen: {deal.name} is closed")
        at = datetime.now(UTC)
        deal.entries = [dataclasses.replace(entry, by_user=deal.owner_id, at=at)
                        for entry in _moves(deal, words, entries)[:entries]]
        ledger = Ledger.of(deal)
        values = {**mapping.deal_values(deal, ledger), "verdict": judge(deal, policy, ledger).verdict.word,
                  "updated_at": at, "version": row.version + (entries + 1) // 2}  # one save per concession
        saves.append({"row_id": row.id, **{f"new_{key}": value for key, value in values.items()}})
        batch += [mapping.entry_values(deal, entry) for entry in deal.entries]
        if len(batch) >= WRITE_CHUNK or row is rows[-1]:
            # Short transactions: the server's outbox worker waits at most a few seconds for SQLite's lock.
            with engine.begin() as connection:
                connection.execute(insert(entry_table), batch)
                columns = {key[len("new_"):]: bindparam(key) for key in saves[0] if key != "row_id"}
                connection.execute(update(deal_table).where(deal_table.c.id == bindparam("row_id")).values(columns),
                                   saves)
            saves, batch = [], []


_MOVES: dict[tuple, tuple[Entry, ...]] = {}


def _moves(deal: Deal, words: str, entries: int) -> tuple[Entry, ...]:
    """Concessions with their gets, as the concede service makes them (its reading, entry and get) on this
    deal with no entries yet, at least `entries` of them. Each move sees what a move in the app reads: the
    deal's running figures and its latest entries (so this is linear, as the app is). Cached for deals that
    make the same entries (the same prices, term and qualification)."""
    key = (deal.list_cents, deal.currency, deal.term_months, dataclasses.astuple(deal.qualification), words)
    if len(_MOVES.get(key, ())) < entries:
        made: list[Entry] = []
        tally, at = Tally.of([]), datetime.now(UTC)
        while len(made) < entries:
            seen = dataclasses.replace(deal, entries=made[-LATEST_ENTRIES:], tally=tally)
            ledger = Ledger.of(seen)
            reading = read_concession(words, terms_of(seen, ledger))
            entry = domain.concession_entry(seen, reading.spec, by=deal.owner_id, at=at, ledger=ledger)
            seen.entries.append(entry)
            if reading.get:
                seen.entries.append(domain.get_entry(seen, reading.get, None, by=deal.owner_id, at=at,
                                                     answering=entry))
            made += seen.entries[-(2 if reading.get else 1):]
            tally = tally.folding(seen.entries)
        _MOVES[key] = tuple(made)
    return _MOVES[key]
