"""Period figures per rep and for the team, aggregated by the database, not by loading rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Label, Row, SQLColumnExpression, and_, case, func, literal, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.db import figures as figures
from bot.db.tables import DealRow, LedgerEntryRow
from bot.domain.figures import BANDS, AttentionDeal, Band, Period, RepFigures, TeamFigures
from bot.domain.model import EntryKind, Stage, Verdict

ATTENTION_LIMIT = 5
# A row of named figures; a rep's (or the team's) concessions: who, how many, how many with a get in return.
FigureRow = Row[*tuple[Any, ...]]
ConcessionRow = Row[str, int, int] | tuple[str, int, int]


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


class SummaryRepository:
    def __init__(self, connection: Connection, team_id: str) -> None:
        self._connection, self._team_id = connection, team_id

    def per_rep(self, period: Period, *, user_id: str | None = None) -> tuple[RepFigures, ...]:
        deals = {row.user_id: row for row in self._deal_figures(period, user_id, by_rep=True)}
        gives = {row[0]: row for row in self._concession_figures(period, user_id, by_rep=True)}
        return tuple(_figures(rep, deals.get(rep), gives.get(rep)) for rep in sorted(set(deals) | set(gives)))

    def totals(self, period: Period, reps: tuple[RepFigures, ...] | None = None) -> RepFigures:
        """The team's figures; `reps`, every rep's for the same period if already counted, spare counting
        the period's concessions a second time (the costliest query at scale)."""
        deals = next(iter(self._deal_figures(period, None, by_rep=False)), None)
        gives: ConcessionRow | None
        if reps is None:
            gives = next(iter(self._concession_figures(period, None, by_rep=False)), None)
        else:
            gives = ("team", sum(r.concessions for r in reps), sum(r.with_get for r in reps))
        return _figures("team", deals, gives)

    def team(self, current: Period, previous: Period, cap_bp: int,
             reps: tuple[RepFigures, ...] | None = None) -> TeamFigures:
        return TeamFigures(
            totals=self.totals(current, reps),
            previous=self.totals(previous),
            bands=self.bands(current),
            under_cap=self._under_cap(current, cap_bp),
            attention=self._attention(),
        )

    def _in_period(self, period: Period) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        return col(DealRow.team_id) == self._team_id, figures.active_in(period)

    def _deal_figures(self, period: Period, user_id: str | None, *, by_rep: bool) -> list[FigureRow]:
        won, lost = figures.closed_in(period, Stage.WON), figures.closed_in(period, Stage.LOST)
        columns: list[Label[Any]] = [
            col(DealRow.owner_id).label("user_id") if by_rep else literal("team").label("user_id"),
            _count(figures.in_period(col(DealRow.created_at), period)).label("opened"),
            func.avg(figures.discount_bp(col(DealRow.effective_cents))).label("avg_discount_bp"),
            _count(and_(figures.stage_is(Stage.OPEN), figures.verdict_is(Verdict.ESCALATE))).label("escalate"),
            _count(and_(figures.stage_is(Stage.OPEN), figures.verdict_is(Verdict.WALK_AWAY))).label("walk_away"),
            _count(figures.walked_in(period)).label("walked"),
            _count(figures.came_back_since(period)).label("came_back"),
            _count(won).label("won"),
            _count(lost).label("lost"),
            func.avg(case((won, figures.discount_bp(figures.closing_price_cents())))).label("won_discount_bp"),
            func.avg(case((lost, figures.discount_bp(figures.closing_price_cents())))).label("lost_discount_bp"),
            func.count().label("rows"),
        ]
        query = select(*columns).where(*self._in_period(period))
        if user_id is not None:
            query = query.where(col(DealRow.owner_id) == user_id)
        if by_rep:
            query = query.group_by(col(DealRow.owner_id))
        return [row for row in self._connection.execute(query) if row.rows]

    def _concession_figures(self, period: Period, user_id: str | None, *, by_rep: bool) -> list[Row[str, int, int]]:
        given, got = aliased(LedgerEntryRow), aliased(LedgerEntryRow)
        owner: SQLColumnExpression[str] = col(DealRow.owner_id) if by_rep else literal("team")
        # Counted from the two covering indexes on ledger_entry; the deal is joined only for its owner.
        query = (
            select(owner, func.count(), func.count(col(got.deal_id)))
            .select_from(given)
            .outerjoin(
                got,
                and_(
                    col(got.deal_id) == col(given.deal_id),
                    col(got.reciprocates) == col(given.seq),
                    col(got.kind) == EntryKind.GET.value,
                    col(got.taken_back_at).is_(None),
                ),
            )
            .where(
                col(given.team_id) == self._team_id,
                col(given.kind) == EntryKind.CONCESSION.value,
                col(given.taken_back_at).is_(None),
                col(given.at) >= period.start,
                col(given.at) < period.end,
            )
        )
        if by_rep or user_id is not None:
            on = (col(DealRow.id) == col(given.deal_id)) & (col(DealRow.team_id) == self._team_id)
            query = query.join(DealRow, on)
        if user_id is not None:
            query = query.where(col(DealRow.owner_id) == user_id)
        if by_rep:
            query = query.group_by(col(DealRow.owner_id))
        return [row for row in self._connection.execute(query) if row[1]]

    def bands(self, period: Period) -> tuple[Band, ...]:
        """Win rate by the discount the deal closed at (`closing_price_cents`: a win's own price if given)."""
        band = figures.band_of(figures.closing_price_cents()).label("band")
        # `closed_in` for each stage, with the stages in one IN, which the (team, stage) index serves.
        query = (
            select(band, _count(figures.stage_is(Stage.WON)), _count(figures.stage_is(Stage.LOST)))
            .where(col(DealRow.team_id) == self._team_id, col(DealRow.stage).in_((Stage.WON.value, Stage.LOST.value)),
                   figures.in_period(col(DealRow.closed_at), period))
            .group_by(band)
        )
        found = {int(row[0]): (int(row[1] or 0), int(row[2] or 0)) for row in self._connection.execute(query)}
        return tuple(Band(label, *found.get(i, (0, 0))) for i, label in enumerate(BANDS))

    def _under_cap(self, period: Period, cap_bp: int) -> int:
        """Deals whose effective discount sits within two points under their cap: a sign of reps
        conceding up to the limit rather than holding."""
        query = select(func.count()).where(
            *self._in_period(period),
            figures.just_under_cap(figures.discount_bp(col(DealRow.effective_cents)), figures.cap_in_force(cap_bp)))
        return int(self._connection.execute(query).scalar_one())

    def _attention(self) -> tuple[AttentionDeal, ...]:
        query = (
            select(col(DealRow.name), col(DealRow.id), col(DealRow.owner_id), col(DealRow.verdict))
            .where(col(DealRow.team_id) == self._team_id, figures.needs_attention())
            .order_by(col(DealRow.updated_at).desc())
            .limit(ATTENTION_LIMIT)
        )
        rows = self._connection.execute(query)  # a stored deal always has its id: the check only tells mypy
        return tuple(AttentionDeal(name, deal_id, owner_id, verdict)
                     for name, deal_id, owner_id, verdict in rows if deal_id is not None)


def _figures(user_id: str, deals: FigureRow | None, gives: ConcessionRow | None) -> RepFigures:
    concessions, with_get = (int(gives[1]), int(gives[2])) if gives is not None else (0, 0)
    if deals is None:
        return RepFigures(user_id, concessions=concessions, with_get=with_get, without_get=concessions - with_get)
    return RepFigures(
        user_id=user_id,
        deals_opened=int(deals.opened or 0),
        concessions=concessions,
        with_get=with_get,
        without_get=concessions - with_get,
        avg_discount_bp=_float(deals.avg_discount_bp),
        escalate=int(deals.escalate or 0),
        walk_away=int(deals.walk_away or 0),
        walked=int(deals.walked or 0),
        came_back=int(deals.came_back or 0),
        won=int(deals.won or 0),
        lost=int(deals.lost or 0),
        won_discount_bp=_float(deals.won_discount_bp),
        lost_discount_bp=_float(deals.lost_discount_bp),
    )


def _float(value: float | Decimal | None) -> float | None:
    return None if value is None else float(value)
