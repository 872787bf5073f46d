"""The domain's figure definitions (`bot/domain/figures.py`) as SQL expressions over the deal table, one each."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, func
from sqlmodel import col

from bot.db.tables import DealRow
from bot.domain.figures import BAND_EDGES_BP, NEEDS_ATTENTION, UNDER_CAP_BP, Period
from bot.domain.model import Stage, Verdict

# Each function mirrors the domain function of the same name; the property test (tests/integration/
# test_summary_figures.py) checks that the summaries built from them equal the domain's figures.
# A discount in basis points: SQL arithmetic on whole cents and a float, a Decimal on some drivers.
Discount = ColumnElement[float | Decimal]


def stage_is(stage: Stage) -> ColumnElement[bool]:
    return col(DealRow.stage) == stage.value


def verdict_is(verdict: Verdict) -> ColumnElement[bool]:
    return col(DealRow.verdict) == verdict.word


def discount_bp(price: SQLColumnExpression[int]) -> Discount:
    return (col(DealRow.list_cents) - price) * 10000.0 / col(DealRow.list_cents)


def closing_price_cents() -> ColumnElement[int]:
    return case((and_(stage_is(Stage.WON), col(DealRow.outcome_cents).is_not(None)), col(DealRow.outcome_cents)),
                else_=col(DealRow.effective_cents))


def band_of(price: SQLColumnExpression[int]) -> ColumnElement[int]:
    """The band's index, compared in whole numbers (discount < edge ⇔ (list − price) × 10000 < edge × list), so
    a price right on an edge falls in the same band on every database as in Python's decimals."""
    below = [((col(DealRow.list_cents) - price) * 10000 < col(DealRow.list_cents) * edge, i)
             for i, edge in enumerate(BAND_EDGES_BP)]
    return case(*below, else_=len(BAND_EDGES_BP))


def needs_attention() -> ColumnElement[bool]:
    return and_(stage_is(Stage.OPEN), col(DealRow.verdict).in_([verdict.word for verdict in NEEDS_ATTENTION]))


def cap_in_force(workspace_cap_bp: int) -> ColumnElement[int]:
    return func.coalesce(col(DealRow.cap_bp), workspace_cap_bp)


def just_under_cap(discount: Discount, cap_bp: ColumnElement[int]) -> ColumnElement[bool]:
    return and_(col(DealRow.concession_count) > 0, discount >= cap_bp - UNDER_CAP_BP, discount <= cap_bp)


def in_period(moment: SQLColumnExpression[datetime | None], period: Period) -> ColumnElement[bool]:
    return and_(moment >= period.start, moment < period.end)  # a NULL moment compares as not true: not in it


def active_in(period: Period) -> ColumnElement[bool]:
    return and_(col(DealRow.created_at) < period.end, col(DealRow.updated_at) >= period.start)


def closed_in(period: Period, as_stage: Stage) -> ColumnElement[bool]:
    return and_(stage_is(as_stage), in_period(col(DealRow.closed_at), period))


def walked_in(period: Period) -> ColumnElement[bool]:
    return in_period(col(DealRow.walked_at), period)


def came_back_since(period: Period) -> ColumnElement[bool]:
    return and_(walked_in(period), col(DealRow.stage) != Stage.WALKED.value)
