"""Plain helpers that build a Deal and its ledger for the unit tests. Amounts are in cents."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.domain.deals import ConcessionSpec, concession_entry
from bot.domain.model import ConcessionType, Deal, Entry, EntryKind, Qualification

REP = "U0REP0001"
OTHER_REP = "U0REP0002"
MANAGER = "U0BOSS001"
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def dollars(amount: int | str) -> int:
    """Whole or decimal dollars (as int or exact string) in cents: dollars("99.99") == 9999."""
    return int(Decimal(str(amount)) * 100)


def qualified() -> Qualification:
    return Qualification(needs=True, decider=True, timeline=True, budget=True)


def make_deal(
    *,
    list_cents: int = dollars(100_000),
    floor_cents: int = dollars(50_000),
    target_cents: int | None = None,
    currency: str = "USD",
    cap_bp: int | None = None,
    is_qualified: bool = True,
    hours: Decimal | int | str = 0,
    name: str = "acme",
    owner: str = REP,
) -> Deal:
    """An open deal, qualified unless told otherwise, with an empty ledger."""
    return Deal(
        id=1,
        team_id="T0TEAM001",
        name=name,
        owner_id=owner,
        channel_id="C0DEALS01",
        currency=currency,
        list_cents=list_cents,
        floor_cents=floor_cents,
        target_cents=target_cents,
        cap_bp=cap_bp,
        qualification=qualified() if is_qualified else Qualification(),
        hours=Decimal(str(hours)),
        created_at=NOW,
    )


def add_concession(
    deal: Deal,
    worth_cents: int | None,
    *,
    kind: ConcessionType = ConcessionType.CUT,
    by: str = REP,
    unqualified: bool = False,
    got: str | None = None,
    text: str = "",
) -> Entry:
    """Appends a concession with a stated worth (bypassing the arithmetic of deals.py); `got` adds its get."""
    entry = Entry(
        seq=deal.next_seq(),
        kind=EntryKind.CONCESSION,
        by_user=by,
        at=NOW,
        text=text or f"{kind.value} concession",
        concession_type=kind,
        worth_cents=worth_cents,
        unqualified=unqualified,
    )
    deal.entries.append(entry)
    if got is not None:
        add_get(deal, got, reciprocates=entry.seq, by=by)
    return entry


def add_reciprocated(deal: Deal, worth_cents: int, *, kind: ConcessionType = ConcessionType.CUT) -> Entry:
    """A concession that was traded for something: no give-without-get noise."""
    return add_concession(deal, worth_cents, kind=kind, got="a case study")


def add_get(
    deal: Deal, text: str, *, reciprocates: int, by: str = REP, worth_cents: int | None = None,
    at: datetime = NOW,
) -> Entry:
    """A get; at NOW, like every builder's entry, it reads as recorded with its concession when it follows it."""
    entry = Entry(
        seq=deal.next_seq(),
        kind=EntryKind.GET,
        by_user=by,
        at=at,
        text=text,
        worth_cents=worth_cents,
        reciprocates=reciprocates,
    )
    deal.entries.append(entry)
    return entry


def add_ask(
    deal: Deal, text: str, *, worth_cents: int | None = None, markers: tuple[str, ...] = (), by: str = REP
) -> Entry:
    entry = Entry(
        seq=deal.next_seq(),
        kind=EntryKind.ASK,
        by_user=by,
        at=NOW,
        text=text,
        worth_cents=worth_cents,
        ethics_markers=markers,
    )
    deal.entries.append(entry)
    return entry


def what_if_conceded(
    deal: Deal, worth_cents: int | None, *, markers: tuple[str, ...] = (), text: str = "the ask"
) -> Entry:
    """The concession an ask would be if the rep gave it (not appended to the deal)."""
    return Entry(
        seq=deal.next_seq(),
        kind=EntryKind.CONCESSION,
        by_user=REP,
        at=NOW,
        text=text,
        concession_type=ConcessionType.CUT,
        worth_cents=worth_cents,
        unqualified=not deal.qualification.complete,
        ethics_markers=markers,
    )


def record(deal: Deal, spec: ConcessionSpec, *, by: str = REP) -> Entry:
    """Goes through deals.concession_entry (the real arithmetic) and appends the result."""
    entry = concession_entry(deal, spec, by=by, at=NOW)
    deal.entries.append(entry)
    return entry


def percent(bp: int) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.PERCENT, percent_bp=bp)
