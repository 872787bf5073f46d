"""PRODUCT.md section 2: net and effective price, effective discount, headroom, gives and gets, open asks."""

from __future__ import annotations

from decimal import Decimal

from builders import add_ask, add_concession, add_get, dollars, make_deal, percent, record

from bot.domain.deals import ConcessionSpec
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType
from bot.domain.money import Amount


def _cut(amount_cents: int) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.CUT, amount=Amount(amount_cents))


def _price(amount_cents: int) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.PRICE, amount=Amount(amount_cents))


def _free(item: str, worth_cents: int | None) -> ConcessionSpec:
    return ConcessionSpec(
        ConcessionType.FREE, text=item, worth=Amount(worth_cents) if worth_cents is not None else None
    )


def _terms(text: str, worth_cents: int | None) -> ConcessionSpec:
    return ConcessionSpec(
        ConcessionType.TERMS, text=text, worth=Amount(worth_cents) if worth_cents is not None else None
    )


def test_a_deal_with_no_concessions_is_at_list() -> None:
    ledger = Ledger.of(make_deal(list_cents=dollars(120_000), floor_cents=dollars(90_000)))
    assert ledger.net_cents == dollars(120_000)
    assert ledger.effective_cents == dollars(120_000)
    assert ledger.effective_discount == 0
    assert ledger.headroom_cents == dollars(30_000)
    assert ledger.unreciprocated_run == 0
    assert ledger.open_asks == ()


def test_percent_concessions_add_up_on_list_and_never_compound() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    five = record(deal, percent(500))
    ten = record(deal, percent(1000))
    assert five.worth_cents == dollars(6_000)
    assert ten.worth_cents == dollars(12_000)  # 10% of list, not of the already-discounted price
    assert Ledger.of(deal).net_cents == dollars(102_000)  # 15% off list


def test_a_percent_after_a_cut_is_still_a_percent_of_list() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    record(deal, _cut(dollars(20_000)))
    ten = record(deal, percent(1000))
    assert ten.worth_cents == dollars(12_000)
    assert Ledger.of(deal).net_cents == dollars(88_000)


def test_a_cut_takes_its_amount_off_the_net() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    cut = record(deal, _cut(dollars(5_000)))
    assert cut.worth_cents == dollars(5_000)
    assert Ledger.of(deal).net_cents == dollars(115_000)


def test_price_sets_the_net_and_is_worth_the_difference() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    record(deal, percent(1000))  # net 108,000
    price = record(deal, _price(dollars(100_000)))
    assert price.worth_cents == dollars(8_000)
    assert Ledger.of(deal).net_cents == dollars(100_000)


def test_free_item_with_a_worth_lowers_effective_price_but_not_net() -> None:
    deal = make_deal(list_cents=dollars(120_000), floor_cents=dollars(90_000))
    record(deal, percent(1000))
    free = record(deal, _free("onboarding", dollars(2_000)))
    ledger = Ledger.of(deal)
    assert free.worth_cents == dollars(2_000)
    assert ledger.net_cents == dollars(108_000)
    assert ledger.effective_cents == dollars(106_000)
    assert ledger.headroom_cents == dollars(16_000)


def test_terms_with_a_worth_lower_effective_price_but_not_net() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    record(deal, _terms("net 60", dollars(1_500)))
    ledger = Ledger.of(deal)
    assert ledger.net_cents == dollars(120_000)
    assert ledger.effective_cents == dollars(118_500)


def test_free_and_terms_without_a_worth_count_as_concessions_worth_zero() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    free = record(deal, _free("training", None))
    terms = record(deal, _terms("net 90", None))
    ledger = Ledger.of(deal)
    assert free.worth == 0 and terms.worth == 0
    assert len(ledger.concessions) == 2
    assert ledger.effective_cents == dollars(120_000)
    assert ledger.unpriced == [free, terms]  # the reply asks what they are worth


def test_effective_discount_is_one_minus_effective_over_list() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    record(deal, percent(1500))  # net 102,000
    record(deal, _free("onboarding", dollars(6_000)))  # effective 96,000
    ledger = Ledger.of(deal)
    assert ledger.effective_cents == dollars(96_000)
    assert ledger.effective_discount == Decimal("0.2")
    assert ledger.effective_discount_bp == 2000


def test_headroom_is_effective_price_minus_floor_and_goes_negative_below_the_floor() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(80_000))
    record(deal, _cut(dollars(25_000)))
    assert Ledger.of(deal).headroom_cents == -dollars(5_000)


def test_unreciprocated_run_counts_concessions_in_a_row_back_from_the_latest() -> None:
    deal = make_deal()
    first = add_concession(deal, dollars(3_000))
    add_get(deal, "a case study", reciprocates=first.seq)
    add_concession(deal, dollars(2_000))
    add_concession(deal, dollars(1_000))
    ledger = Ledger.of(deal)
    assert ledger.unreciprocated_run == 2
    assert ledger.gets_count == 1


def test_a_get_on_the_latest_concession_ends_the_run() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000))
    add_concession(deal, dollars(2_000), got="multi-year term")
    assert Ledger.of(deal).unreciprocated_run == 0


def test_a_get_answers_the_concession_it_names_and_the_ledger_pairs_them() -> None:
    deal = make_deal()
    first = add_concession(deal, dollars(3_000))
    second = add_concession(deal, dollars(2_000))
    get = add_get(deal, "logo rights", reciprocates=second.seq)
    ledger = Ledger.of(deal)
    assert [(g.concession, g.get) for g in ledger.gives] == [(first, None), (second, get)]
    assert ledger.latest_unreciprocated == first


def test_an_ask_changes_nothing_until_the_rep_concedes() -> None:
    deal = make_deal(list_cents=dollars(100_000))
    ask = add_ask(deal, "they want 15% off", worth_cents=dollars(15_000))
    ledger = Ledger.of(deal)
    assert ledger.net_cents == dollars(100_000)
    assert ledger.effective_cents == dollars(100_000)
    assert ledger.concessions == []
    assert ledger.open_asks == (ask,)


def test_an_ask_stays_open_until_the_next_concession() -> None:
    deal = make_deal()
    add_ask(deal, "free onboarding")
    add_concession(deal, dollars(1_000), kind=ConcessionType.FREE)
    later = add_ask(deal, "net 90")
    assert Ledger.of(deal).open_asks == (later,)


def test_taken_back_entries_do_not_count() -> None:
    deal = make_deal(list_cents=dollars(100_000))
    kept = add_concession(deal, dollars(5_000), got="case study")
    undone = add_concession(deal, dollars(10_000))
    undone.taken_back = True
    ledger = Ledger.of(deal)
    assert ledger.concessions == [kept]
    assert ledger.net_cents == dollars(95_000)
    assert ledger.unreciprocated_run == 0


def test_a_taken_back_get_leaves_its_concession_unreciprocated() -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(5_000))
    get = add_get(deal, "case study", reciprocates=conceded.seq)
    get.taken_back = True
    assert Ledger.of(deal).unreciprocated_run == 1
