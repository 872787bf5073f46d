"""The definitions every summary number is counted by: walk-aways, comebacks, bands, the closing price."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.figures import (
    BAND_EDGES_BP,
    BANDS,
    Period,
    band_of,
    came_back_since,
    closing_price_cents,
    discount_bp,
    needs_attention,
    walked_in,
)
from bot.domain.model import Stage, Verdict

WEEK = Period("week", datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
IN_IT, BEFORE_IT = WEEK.start + timedelta(days=1), WEEK.start - timedelta(days=1)


def test_a_walk_away_counts_in_its_period_even_after_the_customer_came_back() -> None:
    assert walked_in(WEEK, IN_IT)
    assert came_back_since(WEEK, Stage.OPEN, IN_IT)
    assert came_back_since(WEEK, Stage.WON, IN_IT)


def test_a_deal_still_walked_away_from_has_not_come_back() -> None:
    assert walked_in(WEEK, IN_IT) and not came_back_since(WEEK, Stage.WALKED, IN_IT)


def test_a_comeback_after_a_walk_away_of_an_earlier_period_is_neither_walked_nor_came_back_in_this_one() -> None:
    assert not walked_in(WEEK, BEFORE_IT) and not came_back_since(WEEK, Stage.OPEN, BEFORE_IT)
    assert not walked_in(WEEK, None) and not came_back_since(WEEK, Stage.OPEN, None)


def test_a_discount_right_on_a_band_edge_falls_in_the_band_above() -> None:
    assert [band_of(Decimal(edge)) for edge in BAND_EDGES_BP] == [1, 2, 3]
    assert band_of(discount_bp(90_001, 100_000)) == 0 and band_of(discount_bp(90_000, 100_000)) == 1
    assert band_of(Decimal(10_000)) == len(BANDS) - 1


def test_a_win_is_judged_at_its_own_price_and_any_other_ending_at_the_ledgers() -> None:
    assert closing_price_cents(Stage.WON, 95_000, 90_000) == 95_000
    assert closing_price_cents(Stage.WON, None, 90_000) == 90_000
    assert closing_price_cents(Stage.LOST, 95_000, 90_000) == 90_000
    assert closing_price_cents(Stage.OPEN, 95_000, 90_000) == 90_000  # a comeback's terms are no closing price


def test_only_open_deals_at_escalate_or_walk_away_need_attention() -> None:
    assert needs_attention(Stage.OPEN, Verdict.ESCALATE) and needs_attention(Stage.OPEN, Verdict.WALK_AWAY)
    assert not needs_attention(Stage.OPEN, Verdict.PUSH_BACK)
    assert not needs_attention(Stage.WALKED, Verdict.WALK_AWAY)
