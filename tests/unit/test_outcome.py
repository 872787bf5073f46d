"""PRODUCT.md sections 3 and 4: a closed deal keeps its final state (the price it closed at, its discount, where it
sits against floor and target), not a verdict; a win below the floor is the ending managers hear about."""

from __future__ import annotations

import pytest
from builders import add_concession, add_reciprocated, dollars, make_deal

from bot.domain.deals import close, come_back
from bot.domain.model import ConcessionType, Stage
from bot.domain.money import Amount
from bot.domain.outcome import final_state


def _deal(**kwargs):  # noqa: ANN003, ANN202 - test helper
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(70_000), target_cents=dollars(90_000), **kwargs)
    add_reciprocated(deal, dollars(10_000))  # net 90k
    add_concession(deal, dollars(2_000), kind=ConcessionType.FREE)  # effective 88k
    return deal


def test_an_open_deal_has_no_final_state() -> None:
    assert final_state(_deal()) is None


def test_a_won_deal_closes_at_its_won_price_against_floor_and_target() -> None:
    deal = _deal()
    close(deal, Stage.WON, price=Amount(dollars(60_000)), note="")
    final = final_state(deal)
    assert final is not None and final.stage is Stage.WON
    assert final.price_cents == dollars(60_000) and final.won_price
    assert final.discount_bp == 4000
    assert final.over_floor_cents == -dollars(10_000)
    assert final.over_target_cents == -dollars(30_000)
    assert final.won_below_floor


def test_a_deal_won_without_a_price_closes_at_its_effective_price() -> None:
    deal = _deal()
    close(deal, Stage.WON, price=None, note="")
    final = final_state(deal)
    assert final is not None
    assert final.price_cents == dollars(88_000) and not final.won_price
    assert final.discount_bp == 1200
    assert final.over_floor_cents == dollars(18_000) and final.over_target_cents == -dollars(2_000)
    assert not final.won_below_floor


@pytest.mark.parametrize("stage", [Stage.WALKED, Stage.LOST])
def test_a_walked_or_lost_deal_closes_at_its_effective_price_and_is_never_a_win_below_the_floor(stage: Stage) -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(70_000))
    add_reciprocated(deal, dollars(40_000))  # 60k: below the floor
    close(deal, stage, price=None, note="")
    final = final_state(deal)
    assert final is not None
    assert final.price_cents == dollars(60_000) and not final.won_price
    assert final.over_floor_cents == -dollars(10_000)
    assert final.over_target_cents is None, "no target set"
    assert not final.won_below_floor


def test_a_win_exactly_at_the_floor_is_not_below_it() -> None:
    deal = _deal()
    close(deal, Stage.WON, price=Amount(dollars(70_000)), note="")
    final = final_state(deal)
    assert final is not None and final.over_floor_cents == 0 and not final.won_below_floor


def test_a_deal_that_comes_back_is_open_again_with_no_final_state() -> None:
    deal = _deal()
    close(deal, Stage.WALKED, price=None, note="")
    come_back(deal, Amount(dollars(95_000)))
    assert final_state(deal) is None
