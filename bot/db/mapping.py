"""Copies between table rows and the pure domain's dataclasses, in both directions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload

from bot.db.tables import Workspace, utcnow
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Deal, Entry, EntryKind, Policy, Qualification, Stage, Verdict
from bot.domain.tally import Tally

POLICY_COLUMNS = (
    "cap_bp",
    "near_floor_bp",
    "unreciprocated",
    "max_concessions",
    "hourly_cost_cents",
    "time_share_bp",
    "alert_channel",
    "digest_day",
    "digest_hour",
    "timezone",
    "digest_channel",
    "stale_days",
)


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
@overload
def aware(moment: datetime | None) -> datetime | None: ...


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def policy_from_row(row: Workspace | None) -> Policy:
    if row is None:
        return Policy()
    return policy_from_values({column: getattr(row, column) for column in (*POLICY_COLUMNS, "managers")})


def policy_from_values(values: dict[str, Any]) -> Policy:
    """A policy from the workspace's columns; a missing workspace (all None) is the default policy."""
    policy = Policy()
    for column in POLICY_COLUMNS:
        value = values.get(column)
        if value is not None:
            setattr(policy, column, value)
    if values.get("managers"):
        policy.managers = tuple(values["managers"].split(","))
    return policy


def apply_policy_changes(row: Workspace, changes: dict[str, object]) -> None:
    for field, value in changes.items():
        if field == "managers":
            assert isinstance(value, tuple), "the policy parser gives managers as a tuple of user ids"
            row.managers = ",".join(value) if value else None
        elif field in POLICY_COLUMNS:
            setattr(row, field, value)
        else:  # pragma: no cover - the parser only produces known fields
            raise KeyError(field)


def deal_from_rows(row: Any, entries: Sequence[Any]) -> Deal:
    """`row` and `entries`: deal and ledger rows with attribute access (Core rows), entries in seq order."""
    return deal_from_row(row, [entry_from_row(entry) for entry in entries])


# The deal's columns that keep the running figures, by the figure's name (`Tally`).
TALLY_COLUMNS = {
    "last_seq": "ledger_seq",
    "concessions": "concession_count",
    "price_cents": "price_concessions_cents",
    "other_cents": "other_concessions_cents",
    "unpriced": "unpriced_count",
    "gets": "gets_count",
    "run": "give_run",
    "open_asks": "open_asks_count",
    "latest_seq": "latest_concession_seq",
    "latest_worth": "latest_concession_cents",
    "latest_unqualified": "latest_concession_unqualified",
    "previous_worth": "previous_concession_cents",
}


def tally_values(tally: Tally) -> dict[str, Any]:
    return {column: getattr(tally, figure) for figure, column in TALLY_COLUMNS.items()}


def tally_from_row(row: Any) -> Tally:
    """The running figures as stored on a deal row (attribute access)."""
    values = {figure: getattr(row, column) for figure, column in TALLY_COLUMNS.items()}
    values["latest_unqualified"] = bool(values["latest_unqualified"])
    return Tally(**values)


def deal_from_row(row: Any, entries: list[Entry], tally: Tally | None = None) -> Deal:
    """`row`: a deal row with attribute access; `entries`: its ledger, in seq order; `tally`: when `entries` are
    only the latest ones, the running figures of the whole ledger."""
    assert row.id is not None
    return Deal(
        id=row.id,
        team_id=row.team_id,
        name=row.name,
        owner_id=row.owner_id,
        channel_id=row.channel_id,
        currency=row.currency,
        list_cents=row.list_cents,
        floor_cents=row.floor_cents,
        target_cents=row.target_cents,
        cap_bp=row.cap_bp,
        customer=row.customer,
        term_months=row.term_months,
        stage=Stage(row.stage),
        qualification=Qualification(row.needs, row.decider, row.timeline, row.budget),
        hours=Decimal(row.hours),
        ethics_flag=row.ethics_flag,
        fit_flag=row.fit_flag,
        cap_approved_through=row.cap_approved_through,
        outcome_cents=row.outcome_cents,
        outcome_note=row.outcome_note,
        came_back=row.came_back,
        coach_shown=tuple(row.coach_shown.splitlines()) if row.coach_shown else (),
        created_at=aware(row.created_at),
        entries=entries,
        tally=tally,
    )


def deal_values(deal: Deal, ledger: Ledger | None = None) -> dict[str, Any]:
    """The mutable facts of a deal as column values; ids, team and prices set at opening never change."""
    ledger = ledger or Ledger.of(deal)
    qualification = deal.qualification
    return dict(
        effective_cents=ledger.effective_cents,
        **tally_values(ledger.tally),
        stage=deal.stage.value,
        needs=qualification.needs,
        decider=qualification.decider,
        timeline=qualification.timeline,
        budget=qualification.budget,
        hours=deal.hours,
        ethics_flag=deal.ethics_flag,
        fit_flag=deal.fit_flag,
        cap_approved_through=deal.cap_approved_through,
        outcome_cents=deal.outcome_cents,
        outcome_note=deal.outcome_note,
        came_back=deal.came_back,
        coach_shown="\n".join(deal.coach_shown),
    )


def new_deal_values(deal: Deal, verdict: Verdict) -> dict[str, Any]:
    """Every column of a new deal row (Core inserts get no SQLModel defaults)."""
    now = utcnow()
    return dict(
        team_id=deal.team_id,
        name=deal.name,
        name_key=deal.name.lower(),
        owner_id=deal.owner_id,
        channel_id=deal.channel_id,
        customer=deal.customer,
        currency=deal.currency,
        list_cents=deal.list_cents,
        floor_cents=deal.floor_cents,
        target_cents=deal.target_cents,
        cap_bp=deal.cap_bp,
        term_months=deal.term_months,
        card_ts=None,
        verdict=verdict.word,
        created_at=deal.created_at or now,
        updated_at=now,
        closed_at=None,
        walked_at=None,
        **deal_values(deal),
    )


_KINDS = {kind.value: kind for kind in EntryKind}
_TYPES = {kind.value: kind for kind in ConcessionType}


# The ledger columns an entry is made of, in the order `entry_from_columns` takes them.
ENTRY_COLUMNS = ("seq", "kind", "by_user", "at", "text", "concession_type", "worth_cents", "percent_bp",
                 "reciprocates", "unqualified", "ethics_markers", "taken_back_at", "taken_back_by", "worth_estimated")


def entry_from_row(row: Any) -> Entry:
    """A ledger row (attribute access) as an entry."""
    return entry_from_columns(tuple(getattr(row, name) for name in ENTRY_COLUMNS))


def entry_from_columns(values: Sequence[Any]) -> Entry:
    """ENTRY_COLUMNS' values as an entry, from a row or from JSON (`ledger_json`: the moment as ISO text, a
    flag as 0/1 on SQLite); a deal's whole ledger is read on every command, so this stays lean."""
    (seq, kind, by_user, at, text, concession_type, worth_cents, percent_bp, reciprocates, unqualified, markers,
     taken_back_at, taken_back_by, worth_estimated) = values
    if isinstance(at, str):
        # SQLite keeps moments as naive UTC text: parsed with the offset added, the moment is aware in one step
        # (making it aware afterwards cost more than the parsing, for every entry of every ledger read).
        at = datetime.fromisoformat(at if at[-6] in "+-" or at[-1] == "Z" else at + "+00:00")
    return Entry(
        seq,
        _KINDS[kind],
        by_user,
        at if at.tzinfo is not None else at.replace(tzinfo=UTC),
        text,
        _TYPES[concession_type] if concession_type else None,
        worth_cents,
        percent_bp,
        reciprocates,
        bool(unqualified),
        tuple(markers.split("|")) if markers else (),
        taken_back_at is not None,
        taken_back_by,
        bool(worth_estimated),
    )


def entry_values(deal: Deal, entry: Entry) -> dict[str, Any]:
    """A ledger entry as column values for an INSERT."""
    assert deal.id is not None
    return dict(
        deal_id=deal.id,
        team_id=deal.team_id,
        seq=entry.seq,
        kind=entry.kind.value,
        by_user=entry.by_user,
        at=entry.at,
        text=entry.text,
        concession_type=entry.concession_type.value if entry.concession_type else None,
        worth_cents=entry.worth_cents,
        percent_bp=entry.percent_bp,
        reciprocates=entry.reciprocates,
        unqualified=entry.unqualified,
        ethics_markers="|".join(entry.ethics_markers),
        taken_back_at=None,
        taken_back_by=None,
        worth_estimated=entry.worth_estimated,
    )
