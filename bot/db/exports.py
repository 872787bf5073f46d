"""The deals a manager exports, with their whole ledgers and managers' decisions: two queries however many deals."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select
from sqlmodel import col

from bot.db import figures as figures
from bot.db import mapping
from bot.db.tables import DealRow, DecisionRow, LedgerEntryRow, table_of
from bot.db.waits import JOB_WAIT_S, waiting_at_most
from bot.domain.export import DealRecord
from bot.domain.figures import Period
from bot.domain.model import Decision, Entry, Verdict

DEAL = table_of(DealRow)
ENTRY = table_of(LedgerEntryRow)
DECISION = table_of(DecisionRow)


# The deals with their entries in one statement, so that on either database they are read as of one moment.
_ENTRY_COLUMNS = [ENTRY.c[name] for name in mapping.ENTRY_COLUMNS]


class ExportRepository:
    def __init__(self, connection: Connection, team_id: str) -> None:
        self._connection, self._team_id = connection, team_id

    def count(self, period: Period) -> int:
        """How many deals were active in the period, as the summaries count them (`figures.active_in`)."""
        return int(self._connection.execute(select(func.count()).where(*self._active(period))).scalar_one())

    def records(self, period: Period) -> list[DealRecord]:
        """Each deal active in the period, by id, with its whole ledger (taken-back entries too) and managers'
        decisions: two queries however many deals."""
        deals = (select(DEAL, *_ENTRY_COLUMNS)
                 .outerjoin(ENTRY, (ENTRY.c.deal_id == DEAL.c.id) & (ENTRY.c.team_id == DEAL.c.team_id))
                 .where(*self._active(period)).order_by(DEAL.c.id, ENTRY.c.seq))
        decisions: dict[int, dict[int, Decision]] = defaultdict(dict)
        query = select(DECISION.c.deal_id, DECISION.c.seq, DECISION.c.kind).where(
            DECISION.c.team_id == self._team_id, DECISION.c.deal_id.in_(select(DEAL.c.id).where(*self._active(period))))
        records: list[DealRecord] = []
        first = len(DEAL.columns)
        # The outbox worker's job, not a request's: it may read much, so it may wait longer than a request (waits.py).
        with waiting_at_most(self._connection, JOB_WAIT_S):
            for deal_id, seq, kind in self._connection.execute(query):
                decisions[deal_id][seq] = Decision(kind)
            for deal_id, group in groupby(self._connection.execute(deals), key=lambda row: row.id):
                rows = list(group)
                entries = [mapping.entry_from_columns(tuple(row[first:])) for row in rows if row.seq is not None]
                records.append(_record(rows[0], entries, decisions.get(deal_id, {})))
        return records

    def _active(self, period: Period) -> tuple[ColumnElement[bool], ...]:
        return col(DealRow.team_id) == self._team_id, figures.active_in(period)


def _record(row: Any, entries: list[Entry], decisions: dict[int, Decision]) -> DealRecord:
    return DealRecord(
        deal=mapping.deal_from_row(row, entries),
        verdict=Verdict[row.verdict.replace(" ", "_")],
        closed_at=mapping.aware(row.closed_at),
        decisions=decisions,
    )
