"""Period figures per rep and for the team, aggregated by the database, not by loading rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Row, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from bot.db.tables import DealRow, LedgerEntryRow
from bot.services.results import RepFigures


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


class SummaryRepository:
    def __init__(self, session: Session, team_id: str) -> None:
        self._session, self._team_id = session, team_id

    def per_rep(self, start: datetime, *, user_id: str | None = None) -> tuple[RepFigures, ...]:
        deals = {row.user_id: row for row in self._deal_figures(start, user_id, by_rep=True)}
        gives = {row[0]: row for row in self._concession_figures(start, user_id, by_rep=True)}
        reps = sorted(set(deals) | set(gives))
        return tuple(_figures(rep, deals.get(rep), gives.get(rep)) for rep in reps)

    def team(self, start: datetime) -> RepFigures:
        deals = next(iter(self._deal_figures(start, None, by_rep=False)), None)
        gives = next(iter(self._concession_figures(start, None, by_rep=False)), None)
        return _figures("team", deals, gives)

    def _deal_figures(self, start: datetime, user_id: str | None, *, by_rep: bool) -> list:
        d = DealRow
        discount_bp = (d.list_cents - d.effective_cents) * 10000.0 / d.list_cents
        closed = and_(d.closed_at.is_not(None), d.closed_at >= start)  # type: ignore[union-attr]
        won = and_(closed, d.stage == "won")
        won_price = func.coalesce(d.outcome_cents, d.effective_cents)
        columns = [
            d.owner_id.label("user_id") if by_rep else func.min(d.owner_id).label("user_id"),
            _count(d.created_at >= start).label("opened"),
            func.avg(discount_bp).label("avg_discount_bp"),
            _count(and_(d.stage == "open", d.verdict == "ESCALATE")).label("escalate"),
            _count(and_(d.stage == "open", d.verdict == "WALK AWAY")).label("walk_away"),
            _count(and_(closed, d.stage == "walked")).label("walked"),
            _count(d.came_back.is_(True)).label("came_back"),  # type: ignore[attr-defined]
            _count(won).label("won"),
            _count(and_(closed, d.stage == "lost")).label("lost"),
            func.avg(case((won, (d.list_cents - won_price) * 10000.0 / d.list_cents))).label("won_discount_bp"),
        ]
        query = select(*columns).where(d.team_id == self._team_id, d.updated_at >= start)
        if user_id is not None:
            query = query.where(d.owner_id == user_id)
        if by_rep:
            query = query.group_by(d.owner_id)
        return [row for row in self._session.execute(query) if row.user_id is not None]

    def _concession_figures(self, start: datetime, user_id: str | None, *, by_rep: bool) -> list:
        given, got = aliased(LedgerEntryRow), aliased(LedgerEntryRow)
        owner = DealRow.owner_id if by_rep else func.min(DealRow.owner_id)
        query = (
            select(owner, func.count(given.id), func.count(got.id))
            .select_from(given)
            .join(DealRow, DealRow.id == given.deal_id)
            .outerjoin(
                got,
                and_(
                    got.deal_id == given.deal_id,
                    got.reciprocates == given.seq,
                    got.kind == "get",
                    got.taken_back_at.is_(None),  # type: ignore[union-attr]
                ),
            )
            .where(
                given.team_id == self._team_id,
                DealRow.team_id == self._team_id,
                given.kind == "concession",
                given.taken_back_at.is_(None),  # type: ignore[union-attr]
                given.at >= start,
            )
        )
        if user_id is not None:
            query = query.where(DealRow.owner_id == user_id)
        if by_rep:
            query = query.group_by(DealRow.owner_id)
        return [row for row in self._session.execute(query) if row[0] is not None]


def _figures(user_id: str, deals: Row | None, gives: Row | None) -> RepFigures:
    concessions, with_get = (int(gives[1]), int(gives[2])) if gives is not None else (0, 0)
    if deals is None:
        return RepFigures(user_id, concessions=concessions, with_get=with_get, without_get=concessions - with_get)
    return RepFigures(
        user_id=user_id,
        deals_opened=int(deals.opened or 0),
        concessions=concessions,
        with_get=with_get,
        without_get=concessions - with_get,
        avg_discount_bp=float(deals.avg_discount_bp) if deals.avg_discount_bp is not None else None,
        escalate=int(deals.escalate or 0),
        walk_away=int(deals.walk_away or 0),
        walked=int(deals.walked or 0),
        came_back=int(deals.came_back or 0),
        won=int(deals.won or 0),
        lost=int(deals.lost or 0),
        won_discount_bp=float(deals.won_discount_bp) if deals.won_discount_bp is not None else None,
    )
