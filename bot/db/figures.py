"""The domain's figure definitions (`bot/domain/figures.py`) as SQL expressions over the deal table, one each."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, func

from bot.db.tables import DealRow
from bot.domain.figures import BAND_EDGES_BP, NEEDS_ATTENTION, UNDER_CAP_BP, Period
from bot.domain.model import Stage, Verdict

# Each function mirrors the domain function of the same name; the property test (tests/integration/
# test_summary_figures.py) checks that the summaries built from them equal the domain's figures.

d = DealRow


def stage_is(stage: Stage) -> ColumnElement[bool]:
    return d.stage == stage.value


def verdict_is(verdict: Verdict) -> ColumnElement[bool]:
    return d.verdict == verdict.word


def discount_bp(price: ColumnElement[int]) -> ColumnElement[float]:
    return (d.list_cents - price) * 10000.0 / d.list_cents


def closing_price_cents() -> ColumnElement[int]:
    return case((and_(stage_is(Stage.WON), d.outcome_cents.is_not(None)), d.outcome_cents),  # type: ignore[union-attr]
                else_=d.effective_cents)


def band_of(price: ColumnElement[int]) -> ColumnElement[int]:
    """The band's index, compared in whole numbers (discount < edge ⇔ (list − price) × 10000 < edge × list), so
    a price right on an edge falls in the same band on every database as in Python's decimals."""
    below = [((d.list_cents - price) * 10000 < d.list_cents * edge, i) for i, edge in enumerate(BAND_EDGES_BP)]
    return case(*below, else_=len(BAND_EDGES_BP))


def needs_attention() -> ColumnElement[bool]:
    return and_(stage_is(Stage.OPEN), d.verdict.in_([verdict.word for verdict in NEEDS_ATTENTION]))  # type: ignore[attr-defined]


def cap_in_force(workspace_cap_bp: int) -> ColumnElement[int]:
    return func.coalesce(d.cap_bp, workspace_cap_bp)


def just_under_cap(discount: ColumnElement[float], cap_bp: ColumnElement[int]) -> ColumnElement[bool]:
    return and_(d.concession_count > 0, discount >= cap_bp - UNDER_CAP_BP, discount <= cap_bp)


def in_period(moment: ColumnElement, period: Period) -> ColumnElement[bool]:
    return and_(moment >= period.start, moment < period.end)  # a NULL moment compares as not true: not in it


def active_in(period: Period) -> ColumnElement[bool]:
    return and_(d.created_at < period.end, d.updated_at >= period.start)  # type: ignore[operator]


def closed_in(period: Period, as_stage: Stage) -> ColumnElement[bool]:
    return and_(stage_is(as_stage), in_period(d.closed_at, period))  # type: ignore[arg-type]


def walked_in(period: Period) -> ColumnElement[bool]:
    return in_period(d.walked_at, period)  # type: ignore[arg-type]


def came_back_since(period: Period) -> ColumnElement[bool]:
    return and_(walked_in(period), d.stage != Stage.WALKED.value)
