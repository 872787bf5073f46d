"""The SQL summaries equal the domain's figures over random ledgers written through the real repositories."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import fmean

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import deals as domain
from bot.domain.errors import InputError
from bot.domain.figures import (
    BANDS,
    Period,
    RepFigures,
    TeamFigures,
    active_in,
    band_of,
    came_back_since,
    closed_in,
    closing_price_cents,
    discount_bp,
    in_period,
    just_under_cap,
    needs_attention,
    walked_in,
)
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Deal, Policy, Stage, Verdict
from bot.domain.money import Amount
from bot.domain.rules import judge

REPS = ("U0ONE", "U0TWO", "U0THREE")
ENDINGS = ("open", "won", "won at a price", "lost", "walked", "came back", "came back and won",
           "came back and walked again")
WALKS = {"walked": 1, "came back": 1, "came back and won": 1, "came back and walked again": 2}


@dataclass(frozen=True)
class Move:
    kind: ConcessionType
    share_bp: int  # of list: the percent, the cut, or a free item's worth
    worth_known: bool  # a free item given without a worth is left out of the figures
    with_get: bool
    taken_back: bool


@dataclass(frozen=True)
class DealSpec:
    owner: str
    list_cents: int
    floor_pct: int
    cap_bp: int | None
    moves: tuple[Move, ...]
    ending: str
    won_pct: int


@dataclass
class Written:
    """A deal as written, with the moments the test saw it created, closed and walked away from."""

    deal: Deal
    created_at: datetime
    closed_at: datetime | None = None
    walked_at: datetime | None = None
    touched: list[datetime] = field(default_factory=list)


moves = st.builds(
    Move,
    kind=st.sampled_from((ConcessionType.PERCENT, ConcessionType.CUT, ConcessionType.FREE)),
    share_bp=st.integers(50, 1500) | st.sampled_from((1000, 2000)),  # whole tens: right on a band's edge
    worth_known=st.booleans(),
    with_get=st.booleans(),
    taken_back=st.booleans(),
)
deal_specs = st.builds(
    DealSpec,
    owner=st.sampled_from(REPS),
    list_cents=st.integers(100, 500_000).map(lambda dollars: dollars * 100),
    floor_pct=st.integers(40, 100),
    cap_bp=st.none() | st.integers(300, 4000),
    moves=st.lists(moves, max_size=4).map(tuple),
    ending=st.sampled_from(ENDINGS),
    won_pct=st.integers(50, 100) | st.sampled_from((70, 80, 90)),
)


def now() -> datetime:
    return datetime.now(UTC)


def concede(deal: Deal, move: Move, owner: str) -> None:
    at = now()
    share = deal.list_cents * move.share_bp // 10_000 or 1
    spec = {
        ConcessionType.PERCENT: domain.ConcessionSpec(ConcessionType.PERCENT, percent_bp=move.share_bp),
        ConcessionType.CUT: domain.ConcessionSpec(ConcessionType.CUT, amount=Amount(share)),
        ConcessionType.FREE: domain.ConcessionSpec(ConcessionType.FREE, text="training",
                                                worth=Amount(share) if move.worth_known else None),
    }[move.kind]
    try:
        entry = domain.concession_entry(deal, spec, by=owner, at=at)
    except InputError:  # it would take the price to zero: the rep could not log it either
        return
    deal.entries.append(entry)
    if move.with_get:
        deal.entries.append(domain.get_entry(deal, "a case study", None, by=owner, at=at, answering=entry))
    if move.taken_back:
        domain.take_back(deal, owner)


def write_deals(container, team: str, specs: list[DealSpec], split_after: int  # noqa: ANN001
                ) -> tuple[Policy, list[Written], datetime | None]:
    """Each deal opened, moved and closed as the services would, saved after every step. Each moment is noted
    right after its save, so the database's moment is at or before it and after the one noted before; after the
    `split_after`th save the moment is returned, and the next save waits a little, so that moment divides the saves
    alike in the database and here."""
    written: list[Written] = []
    saves: list[datetime] = []
    with container.uow(team) as uow:
        uow.workspaces.ensure()
        policy = uow.workspaces.policy()

        def saved(item: Written) -> datetime:
            if len(saves) == split_after:
                time.sleep(0.002)
            uow.deals.save(item.deal, judge(item.deal, policy).verdict)
            saves.append(now())
            item.touched.append(saves[-1])
            return saves[-1]

        for i, spec in enumerate(specs):
            if len(saves) == split_after:
                time.sleep(0.002)
            created = now()
            deal = domain.new_deal(
                team_id=team, name=f"d{i}", owner_id=spec.owner, channel_id="C0DEALS",
                list_price=Amount(spec.list_cents), floor=Amount(spec.list_cents * spec.floor_pct // 100),
                target=None, cap_bp=spec.cap_bp, customer="", policy=policy, by_manager=True, at=created)
            uow.deals.add(deal, judge(deal, policy).verdict)
            item = Written(deal, created)
            written.append(item)
            saves.append(now())
            item.touched.append(saves[-1])
            for move in spec.moves:
                concede(deal, move, spec.owner)
                saved(item)
            for walk in range(WALKS.get(spec.ending, 0)):
                if walk:
                    domain.come_back(deal, None)
                    item.closed_at = None
                    saved(item)
                domain.close(deal, Stage.WALKED, price=None, note="")
                item.walked_at = item.closed_at = saved(item)
            if spec.ending in ("came back", "came back and won"):
                domain.come_back(deal, None)
                item.closed_at = None
                saved(item)
            ending = {"won": Stage.WON, "won at a price": Stage.WON, "came back and won": Stage.WON,
                      "lost": Stage.LOST}.get(spec.ending)
            if ending is not None:
                price = Amount(spec.list_cents * spec.won_pct // 100) if spec.ending == "won at a price" else None
                domain.close(deal, ending, price=price, note="")
                item.closed_at = saved(item)
        uow.commit()
    return policy, written, saves[split_after - 1] if 0 < split_after <= len(saves) else None


def expected_figures(user_id: str, period: Period, items: list[Written], policy: Policy) -> RepFigures:
    """A rep's (or the team's) figures, counted in Python from the domain's definitions."""
    active = [w for w in items if active_in(period, w.created_at, w.touched[-1])]
    ledgers = {id(w): Ledger.of(w.deal) for w in items}

    def closing_discount(w: Written) -> float:
        price = closing_price_cents(w.deal.stage, w.deal.outcome_cents, ledgers[id(w)].effective_cents)
        return float(discount_bp(price, w.deal.list_cents))

    won = [w for w in active if closed_in(period, w.deal.stage, w.closed_at, Stage.WON)]
    lost = [w for w in active if closed_in(period, w.deal.stage, w.closed_at, Stage.LOST)]
    gives = [give for w in items for give in ledgers[id(w)].gives if in_period(give.concession.at, period)]
    verdicts = [judge(w.deal, policy).verdict for w in active if w.deal.is_open]
    with_get = sum(1 for give in gives if give.reciprocated)
    return RepFigures(
        user_id=user_id,
        deals_opened=sum(1 for w in active if in_period(w.created_at, period)),
        concessions=len(gives),
        with_get=with_get,
        without_get=len(gives) - with_get,
        avg_discount_bp=fmean(float(ledgers[id(w)].effective_discount_bp) for w in active) if active else None,
        escalate=verdicts.count(Verdict.ESCALATE),
        walk_away=verdicts.count(Verdict.WALK_AWAY),
        walked=sum(1 for w in active if walked_in(period, w.walked_at)),
        came_back=sum(1 for w in active if came_back_since(period, w.deal.stage, w.walked_at)),
        won=len(won),
        lost=len(lost),
        won_discount_bp=fmean(map(closing_discount, won)) if won else None,
        lost_discount_bp=fmean(map(closing_discount, lost)) if lost else None,
    )


def approx(figures: RepFigures) -> tuple:
    """The figures with averages compared to a billionth (the database averages floats or numerics)."""
    return tuple(pytest.approx(value, rel=1e-9) if isinstance(value, float) else value
                 for value in figures.__dict__.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(deal_specs, min_size=1, max_size=8), split_after=st.integers(1, 30))
def test_the_summaries_count_what_the_domain_defines_per_rep_for_the_team_by_band_and_for_attention(
    container, specs: list[DealSpec], split_after: int  # noqa: ANN001
) -> None:
    team = f"T{uuid.uuid4().hex[:10].upper()}"  # each example its own workspace: repositories see one team
    start = now() - timedelta(hours=1)
    policy, written, split = write_deals(container, team, specs, split_after)
    assert policy == Policy()  # the deals are judged under the workspace's default policy
    whole = Period("week", start, now() + timedelta(hours=1))
    # The same figures for a period that begins mid-way: walk-aways before it, comebacks after it.
    periods = [whole] + ([Period("week", split + timedelta(microseconds=1), whole.end)] if split else [])

    for period in periods:
        before = Period("week", period.start - timedelta(days=7), period.start)
        with container.uow(team, read_only=True) as uow:
            reps = uow.summaries.per_rep(period)
            figures = uow.summaries.team(period, before, policy.cap_bp)
        expected = {o: expected_figures(o, period, [w for w in written if w.deal.owner_id == o], policy)
                    for o in sorted({w.deal.owner_id for w in written})}
        assert [approx(r) for r in reps] == [approx(e) for e in expected.values() if e != RepFigures(e.user_id)]
        assert approx(figures.totals) == approx(expected_figures("team", period, written, policy))
        if period is whole:
            assert figures.previous == RepFigures("team")
        assert_bands_under_cap_and_attention(figures, period, written, policy)


def assert_bands_under_cap_and_attention(figures: TeamFigures, period: Period, written: list[Written],
                                         policy: Policy) -> None:
    bands = [[0, 0] for _ in BANDS]
    for w in written:
        for stage in (Stage.WON, Stage.LOST):
            if closed_in(period, w.deal.stage, w.closed_at, stage):
                price = closing_price_cents(stage, w.deal.outcome_cents, Ledger.of(w.deal).effective_cents)
                bands[band_of(discount_bp(price, w.deal.list_cents))][stage is Stage.LOST] += 1
    assert [(b.label, b.won, b.lost) for b in figures.bands] == [
        (label, *counts) for label, counts in zip(BANDS, bands, strict=True)]

    assert figures.under_cap == sum(
        1 for w in written
        if active_in(period, w.created_at, w.touched[-1])
        and just_under_cap((ledger := Ledger.of(w.deal)).effective_discount_bp, w.deal.effective_cap_bp(policy),
                           len(ledger.gives)))

    attention = {w.deal.id for w in written if needs_attention(w.deal.stage, judge(w.deal, policy).verdict)}
    shown = {deal.deal_id for deal in figures.attention}
    assert shown <= attention and len(shown) == min(len(attention), 5)
