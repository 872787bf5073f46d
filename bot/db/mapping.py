"""Copies between table rows and the pure domain's dataclasses, in both directions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.db.tables import DealRow, Workspace
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Deal, Entry, EntryKind, Policy, Qualification, Stage

_POLICY_COLUMNS = (
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


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def policy_from_row(row: Workspace | None) -> Policy:
    policy = Policy()
    if row is None:
        return policy
    for column in _POLICY_COLUMNS:
        value = getattr(row, column)
        if value is not None:
            setattr(policy, column, value)
    if row.managers:
        policy.managers = tuple(row.managers.split(","))
    return policy


def apply_policy_changes(row: Workspace, changes: dict[str, object]) -> None:
    for field, value in changes.items():
        if field == "managers":
            row.managers = ",".join(value) if value else None  # type: ignore[arg-type]
        elif field in _POLICY_COLUMNS:
            setattr(row, field, value)
        else:  # pragma: no cover - the parser only produces known fields
            raise KeyError(field)


def deal_from_rows(row: DealRow, entries: Sequence[Any]) -> Deal:
    """`entries`: ledger rows with attribute access (ORM objects or Core rows)."""
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
        stage=Stage(row.stage),
        qualification=Qualification(row.needs, row.decider, row.timeline, row.budget),
        hours=Decimal(row.hours),
        ethics_flag=row.ethics_flag,
        fit_flag=row.fit_flag,
        cap_approved_through=row.cap_approved_through,
        outcome_cents=row.outcome_cents,
        outcome_note=row.outcome_note,
        came_back=row.came_back,
        created_at=aware(row.created_at),
        entries=[entry_from_row(entry) for entry in sorted(entries, key=lambda e: e.seq)],
    )


def copy_deal_to_row(deal: Deal, row: DealRow) -> None:
    """Writes the mutable facts of a deal back; ids, team and prices set at opening never change."""
    ledger = Ledger.of(deal)
    row.effective_cents = ledger.effective_cents
    row.concession_count = len(ledger.gives)
    row.stage = deal.stage.value
    row.needs, row.decider = deal.qualification.needs, deal.qualification.decider
    row.timeline, row.budget = deal.qualification.timeline, deal.qualification.budget
    row.hours = deal.hours
    row.ethics_flag, row.fit_flag = deal.ethics_flag, deal.fit_flag
    row.cap_approved_through = deal.cap_approved_through
    row.outcome_cents, row.outcome_note, row.came_back = deal.outcome_cents, deal.outcome_note, deal.came_back


def new_deal_row(deal: Deal) -> DealRow:
    row = DealRow(
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
        effective_cents=deal.list_cents,
    )
    copy_deal_to_row(deal, row)
    if deal.created_at is not None:
        row.created_at = deal.created_at
    return row


_KINDS = {kind.value: kind for kind in EntryKind}
_TYPES = {kind.value: kind for kind in ConcessionType}


def entry_from_row(row: Any) -> Entry:
    return Entry(
        seq=row.seq,
        kind=_KINDS[row.kind],
        by_user=row.by_user,
        at=aware(row.at),  # type: ignore[arg-type]
        text=row.text,
        concession_type=_TYPES[row.concession_type] if row.concession_type else None,
        worth_cents=row.worth_cents,
        percent_bp=row.percent_bp,
        reciprocates=row.reciprocates,
        unqualified=row.unqualified,
        ethics_markers=tuple(filter(None, row.ethics_markers.split("|"))),
        taken_back=row.taken_back_at is not None,
        taken_back_by=row.taken_back_by,
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
    )
