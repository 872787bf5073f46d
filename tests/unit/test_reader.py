"""The one reader of moves (`bot.domain.reader`): the strict command forms, the words reps use, what the deal's
prices make of a bare figure, gets, and numbers that are no money. The table of ways reps phrase commands was
written blind (bench/tables/command_phrasings.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.domain.deals import ConcessionSpec
from bot.domain.errors import InputError
from bot.domain.model import ConcessionType
from bot.domain.money import Amount
from bot.domain.offers import find_offer
from bot.domain.reader import DealTerms, Reading, has_substance, read_ask, read_concession

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from tables.command_phrasings import PHRASINGS  # noqa: E402

DEAL = DealTerms(list_cents=10_000_000, net_cents=10_000_000)  # a fresh $100k deal


def _figure(reading: Reading) -> float | None:
    spec = reading.spec
    if spec.percent_bp is not None:
        return spec.percent_bp / 100
    return spec.amount.cents / 100 if spec.amount is not None else None


@pytest.mark.parametrize(("words", "spec"), [
    ("12%", ConcessionSpec(ConcessionType.PERCENT, percent_bp=1200)),
    ("12.5%", ConcessionSpec(ConcessionType.PERCENT, percent_bp=1250)),
    ("price 90k", ConcessionSpec(ConcessionType.PRICE, amount=Amount(9_000_000))),
    ("price $1.2m", ConcessionSpec(ConcessionType.PRICE, amount=Amount(120_000_000, "USD"))),
    ("cut 5k", ConcessionSpec(ConcessionType.CUT, amount=Amount(500_000))),
    ("cut €2,500", ConcessionSpec(ConcessionType.CUT, amount=Amount(250_000, "EUR"))),
    ("free onboarding", ConcessionSpec(ConcessionType.FREE, text="onboarding")),
    ("free premium support worth 2k", ConcessionSpec(ConcessionType.FREE, text="premium support",
                                                     worth=Amount(200_000))),
    ("free 3 months", ConcessionSpec(ConcessionType.FREE, text="3 months", months=3)),
    ("terms net 60", ConcessionSpec(ConcessionType.TERMS, text="net 60")),
    ("terms net 60 worth $1,000", ConcessionSpec(ConcessionType.TERMS, text="net 60", worth=Amount(100_000, "USD"))),
])
def test_the_strict_command_forms_read_exactly_as_before(words: str, spec: ConcessionSpec) -> None:
    assert read_concession(words, DEAL) == Reading(spec)


@pytest.mark.parametrize(("words", "type_", "figure"), [
    ("10k off", "cut", 10_000), ("2k off", "cut", 2_000), ("$5,000 off", "cut", 5_000),
    ("5 percent", "percent", 5), ("five percent", "percent", 5), ("7.5% discount", "percent", 7.5),
    ("ten grand off", "cut", 10_000), ("take 15k off the price", "cut", 15_000), ("down to 90k", "price", 90_000),
    ("we can do 92,500", "price", 92_500), ("$95k", "price", 95_000), ("an extra 3%", "percent", 3),
    ("another 2%", "percent", 2), ("knock 4k off", "cut", 4_000), ("meet them at 91k", "price", 91_000),
    ("12% if they sign by friday", "percent", 12), ("5 grand off", "cut", 5_000),
])
def test_the_words_reps_use_for_a_concession_are_read_with_their_figures(words: str, type_: str,
                                                                         figure: float) -> None:
    reading = read_concession(words, DEAL)
    assert (reading.spec.type.value, _figure(reading), reading.sure) == (type_, figure, True)


@pytest.mark.parametrize(("words", "type_", "text"), [
    ("net 60", "terms", "net 60"), ("3 months free", "free", "3 months"), ("free onboarding", "free", "onboarding"),
    ("quarterly billing", "terms", "quarterly billing"), ("two months free", "free", "2 months"),
])
def test_terms_and_free_items_are_read_in_the_reps_words(words: str, type_: str, text: str) -> None:
    spec = read_concession(words, DEAL).spec
    assert (spec.type.value, spec.text) == (type_, text)


def test_free_months_carry_their_count_so_their_worth_can_be_estimated() -> None:
    assert read_concession("3 months free", DEAL).spec.months == 3
    assert read_concession("an extra month free", DEAL).spec.months == 1


@pytest.mark.parametrize(("words", "get"), [
    ("1% off for a case study", "a case study"),
    ("10% in exchange for a 2 year term", "a 2 year term"),
    ("12% if they sign by friday", "if they sign by friday"),
    ("5k off as long as they prepay", "as long as they prepay"),
    ("free training for 10 users worth 2k for logo rights", "logo rights"),
])
def test_the_get_is_what_follows_for_in_exchange_for_if_they_or_as_long_as(words: str, get: str) -> None:
    assert read_concession(words, DEAL).get == get


@pytest.mark.parametrize("words", ["5% for nothing", "5% for free", "5% for none", "10k off for nothing"])
def test_nothing_after_for_is_no_get(words: str) -> None:
    reading = read_concession(words, DEAL)
    assert reading.get == "" and reading.spec.type is not ConcessionType.FREE


@pytest.mark.parametrize("words", ["nothing", "none", "free", "no", "Nothing."])
def test_a_get_needs_substance(words: str) -> None:
    assert not has_substance(words)


def test_free_support_for_a_year_is_the_item_not_a_get() -> None:
    reading = read_concession("free premium support for a year", DEAL)
    assert reading.get == "" and reading.spec.type is ConcessionType.FREE


@pytest.mark.parametrize(("words", "type_", "figure"), [
    ("92500", "price", 92_500),  # near the net: a price
    ("8000", "cut", 8_000),  # small against list: a cut
    ("ok 92,500 then", "price", 92_500),
])
def test_a_bare_amount_is_read_against_the_deal(words: str, type_: str, figure: float) -> None:
    reading = read_concession(words, DEAL)
    assert (reading.spec.type.value, _figure(reading)) == (type_, figure)


def test_a_bare_amount_the_deal_leaves_uncertain_is_offered_both_ways_to_confirm() -> None:
    reading = read_concession("40000", DEAL)  # a price of 40k, or 40k off?
    assert not reading.sure and reading.other is not None
    assert {reading.spec.type, reading.other.type} == {ConcessionType.PRICE, ConcessionType.CUT}


def test_a_figure_in_thousands_shorthand_is_read_as_thousands_and_confirmed() -> None:
    reading = read_concession("meet them at 90", DEAL)
    assert (reading.spec.type, _figure(reading), reading.sure) == (ConcessionType.PRICE, 90_000, False)


def test_the_same_figure_means_a_price_on_one_deal_and_a_cut_on_another() -> None:
    small_deal, big_deal = DealTerms(10_000_000, 10_000_000), DealTerms(100_000_000, 100_000_000)
    assert read_concession("92,500", small_deal).spec.type is ConcessionType.PRICE
    assert read_concession("12,000", big_deal).spec.type is ConcessionType.CUT


@pytest.mark.parametrize(("words", "named"), [
    ("0%", "0%"), ("120%", "100%"), ("cut lots", "lots"), ("price 0", "0"), ("cut -5k", "-5k"),
    ("price 2,000,000,000,000", "trillion"), ("cut AUD 1001 b", "trillion"),
    ("dinner", "dinner"), ("free onboarding worth heaps", "heaps"),
])
def test_what_cannot_be_read_at_all_is_refused_naming_it(words: str, named: str) -> None:
    with pytest.raises(InputError) as raised:
        read_concession(words, DEAL)
    assert named in raised.value.message


@pytest.mark.parametrize(("command", "words", "type_", "value", "get"), PHRASINGS)
def test_every_blind_phrasing_is_logged_with_its_figures_or_offered_for_one_click(
        command: str, words: str, type_: str, value: float | None, get: str | None) -> None:
    reading = read_concession(words, DEAL) if command == "concede" else Reading(read_ask(words, DEAL))
    readings = [reading.spec, *([reading.other] if reading.other else [])]
    spec = next((s for s in readings if s.type.value == type_), None)
    assert spec is not None, reading
    if type_ == "percent":
        assert value is not None and spec.percent_bp == round(value * 100)
    elif type_ in ("cut", "price"):
        assert value is not None and spec.amount is not None and spec.amount.cents == round(value * 100)
    elif type_ == "free" and value is not None:
        assert spec.months == value
    assert bool(reading.get) == bool(get)


@pytest.mark.parametrize("words", [
    "call moved to 3/14", "they have 250 seats", "sign by the 15th", "meeting at 2:30", "bought it in 2019",
    "the 65 inch one", "only 45k miles on it", "iPhone 13, 128gb", "their churn is 4%", "99.9% uptime",
    "call me at 555-123-4567", "it's listed at 2000", "I paid 1500 for it two years ago", "thanks!",
])
def test_numbers_that_are_no_money_offer_are_not_read_as_offers(words: str) -> None:
    assert find_offer(words, DealTerms(200_000, 200_000)) is None


@pytest.mark.parametrize(("words", "list_dollars", "kind", "figure"), [
    ("I could go as low as $1600.", 2000, "concession", 1600),
    ("how about 500 and I can even drop them off", 600, "concession", 500),
    ("Would you be willing to part with it for $90?", 120, "ask", 90),
    ("If you are able to get it today then I can agree on $70", 85, "concession", 70),
    ("I go to $130 if you ship it", 160, "ask", 130),
    ("$1748 and you got a deal?", 1900, "ask", 1748),
])
def test_offers_in_haggling_chat_are_found_with_their_amount_and_side(words: str, list_dollars: int, kind: str,
                                                                      figure: float) -> None:
    offer = find_offer(words, DealTerms(list_dollars * 100, list_dollars * 100))
    assert offer is not None and offer.spec.amount is not None
    assert (offer.kind, offer.spec.type, offer.spec.amount.cents) == (
        kind, ConcessionType.PRICE, figure * 100)


def test_a_tiny_bare_figure_is_read_in_thousands_and_confirmed_never_logged_as_dollars() -> None:
    reading = read_concession("3 for nothing", DealTerms(12_000_000, 12_000_000))
    assert (reading.spec.type, _figure(reading), reading.sure, reading.get) == (ConcessionType.CUT, 3_000, False, "")


@pytest.mark.parametrize("words", ["5 prcent", "5 percnet", "5 pct", "5 prcnt", "5 per cent", "five percent"])
def test_a_percent_misspelt_as_reps_type_it_is_still_a_percent(words: str) -> None:
    assert read_concession(words, DEAL).spec == ConcessionSpec(ConcessionType.PERCENT, percent_bp=500)


def test_the_get_may_itself_say_for_the_give_is_what_reads_before_it() -> None:
    reading = read_concession("cut 5k for a logo for the website", DEAL)
    assert (reading.spec.type, _figure(reading), reading.get) == (ConcessionType.CUT, 5_000, "a logo for the website")


def test_an_ask_in_a_strict_form_with_words_after_it_is_read_not_refused() -> None:
    spec = read_ask("price 41k to match the other quote", DEAL)
    assert spec.type is ConcessionType.PRICE and spec.amount is not None and spec.amount.cents == 4_100_000
