"""Deals and their ledgers as CSV for a spreadsheet: one row per ledger entry, the deal's columns on each."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from bot.domain.export import DealRecord
from bot.domain.figures import closing_price_cents
from bot.domain.ledger import Ledger
from bot.domain.model import Entry, EntryKind

HEADERS = (
    "deal", "deal id", "owner", "owner id", "customer", "stage", "currency", "list", "floor", "target",
    "latest verdict", "effective price", "opened at", "closed at", "final price", "outcome note",
    "entry", "entry kind", "what", "get", "for entry", "worth", "worth estimated", "taken back", "by",
    "recorded at", "manager decision",
)
# A spreadsheet runs a cell starting with one of these as a formula; customers' words end up in cells.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def deals_csv(records: Iterable[DealRecord], names: Mapping[str, str] | None = None) -> str:
    """The CSV text: a header, then each deal's entries in order (taken-back ones marked), or one row with the
    entry columns empty for a deal with none. Money as plain decimals, moments as ISO 8601 UTC. People by
    `names` (Slack user id → name), else by their Slack user id."""
    names = names or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for record in records:
        deal_cells = _deal_cells(record, names)
        entries = record.deal.entries
        if not entries:
            writer.writerow(deal_cells + [""] * (len(HEADERS) - len(deal_cells)))
        gets = _gets_by_concession(entries)
        for entry in entries:
            writer.writerow(deal_cells + _entry_cells(record, entry, gets.get(entry.seq, []), names))
    return out.getvalue()


def _deal_cells(record: DealRecord, names: Mapping[str, str]) -> list[str]:
    deal = record.deal
    effective = Ledger.of(deal).effective_cents
    final = None if deal.is_open else closing_price_cents(deal.stage, deal.outcome_cents, effective)
    return [
        _text(deal.name), str(deal.id), _text(names.get(deal.owner_id, deal.owner_id)), deal.owner_id,
        _text(deal.customer), deal.stage.value, deal.currency,
        _money(deal.list_cents), _money(deal.floor_cents), _money(deal.target_cents),
        record.verdict.word if deal.is_open else "", _money(effective), _moment(deal.created_at),
        _moment(record.closed_at), _money(final), _text(deal.outcome_note),
    ]


def _gets_by_concession(entries: list[Entry]) -> dict[int, list[str]]:
    """What was received for each concession (by its seq), taken-back gets left out."""
    gets: dict[int, list[str]] = {}
    for entry in entries:
        if entry.kind is EntryKind.GET and entry.active and entry.reciprocates is not None:
            gets.setdefault(entry.reciprocates, []).append(entry.text)
    return gets


def _entry_cells(record: DealRecord, entry: Entry, gets: list[str], names: Mapping[str, str]) -> list[str]:
    decision = record.decisions.get(entry.seq)
    return [
        str(entry.seq), entry.kind.value, _text(entry.text),
        _text("; ".join(gets)) if entry.kind is EntryKind.CONCESSION else "",
        str(entry.reciprocates) if entry.kind is EntryKind.GET and entry.reciprocates else "",
        _money(entry.worth_cents), _yes(entry.worth_estimated) if entry.worth_known else "",
        _yes(entry.taken_back), _text(names.get(entry.by_user, entry.by_user)), _moment(entry.at),
        decision.value if decision is not None else "",
    ]


def _text(value: str) -> str:
    """Words as typed, made inert: a leading apostrophe keeps a spreadsheet from reading them as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _money(cents: int | None) -> str:
    return "" if cents is None else f"{Decimal(cents).scaleb(-2):f}"


def _moment(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
