"""PRODUCT.md section 2: amounts and percentages as reps type them; never a zero by accident."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.errors import InputError
from bot.domain.money import Amount, format_money, format_percent, parse_amount, parse_percent, percent_of

TRILLION = 10**12


# --- every amount format of section 2 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents", "currency"),
    [
        ("120000", 12_000_000, None),
        ("120,000", 12_000_000, None),
        ("$120,000", 12_000_000, "USD"),
        ("120k", 12_000_000, None),
        ("120K", 12_000_000, None),
        ("1.2m", 120_000_000, None),
        ("€95k", 9_500_000, "EUR"),
        ("95.5k", 9_550_000, None),
        ("1,250,000.50", 125_000_050, None),
        ("  $120k  ", 12_000_000, "USD"),
    ],
)
def test_every_amount_format_of_the_contract_reads_as_exact_cents(
    text: str, cents: int, currency: str | None
) -> None:
    assert parse_amount(text) == Amount(cents=cents, currency=currency)


def test_an_amount_without_a_symbol_names_no_currency_so_the_deal_decides() -> None:
    assert parse_amount("95k").currency is None


def test_a_euro_amount_names_euros_and_a_dollar_amount_names_dollars() -> None:
    assert parse_amount("€95k").currency == "EUR"
    assert parse_amount("$95k").currency == "USD"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "12x", "one hundred", "120,00", "1,20,000", "k", "$", "€", "1.2.3", "12%", "1e5",
     "$$5"],
)
def test_an_amount_that_does_not_parse_is_an_error_never_a_zero(text: str) -> None:
    with pytest.raises(InputError):
        parse_amount(text)


@pytest.mark.parametrize("text", ["0", "$0", "0k", "0.00", "0.001", "-5", "-$5", "$-5", "−5k"])
def test_zero_and_negative_amounts_are_errors(text: str) -> None:
    with pytest.raises(InputError, match="more than zero"):
        parse_amount(text)


def test_an_amount_of_exactly_a_trillion_is_accepted() -> None:
    assert parse_amount("1,000,000,000,000").cents == TRILLION * 100
    assert parse_amount("1000b").cents == TRILLION * 100


@pytest.mark.parametrize("text", ["1,000,000,000,000.01", "1000000000001", "1001b", "$2,000,000,000,000"])
def test_an_amount_over_a_trillion_is_an_error(text: str) -> None:
    with pytest.raises(InputError, match="trillion"):
        parse_amount(text)


def test_an_absurdly_long_number_is_an_input_error_not_a_crash() -> None:
    # 29 digits: past Decimal's default precision; must still be the user's typo, not a server error.
    with pytest.raises(InputError):
        parse_amount("1" * 29)


def test_the_error_names_the_text_and_what_it_was_for() -> None:
    with pytest.raises(InputError) as caught:
        parse_amount("lots", what="floor")
    assert "lots" in caught.value.message
    assert "floor" in caught.value.message


def test_an_unknown_currency_is_an_error() -> None:
    with pytest.raises(InputError, match="XYZ"):
        parse_amount("XYZ 5k")


# --- percentages --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "bp"), [("12%", 1200), ("12.5%", 1250), ("0.25%", 25), ("100%", 10_000)])
def test_percentages_read_as_basis_points(text: str, bp: int) -> None:
    assert parse_percent(text) == bp


@pytest.mark.parametrize("text", ["100.01%", "101%", "150%", "1000%"])
def test_a_percentage_over_100_is_an_error(text: str) -> None:
    with pytest.raises(InputError, match="100%"):
        parse_percent(text)


@pytest.mark.parametrize("text", ["0%", "0.00%", "-5%"])
def test_zero_and_negative_percentages_are_errors(text: str) -> None:
    with pytest.raises(InputError, match="more than 0%"):
        parse_percent(text)


@pytest.mark.parametrize("text", ["12", "twelve%", "%", "12%%", "1.2.3%", ""])
def test_a_percentage_that_does_not_parse_is_an_error(text: str) -> None:
    with pytest.raises(InputError):
        parse_percent(text)


def test_a_percentage_finer_than_a_basis_point_is_an_error_not_silently_rounded() -> None:
    with pytest.raises(InputError, match="two decimals"):
        parse_percent("12.345%")


# --- arithmetic and formatting ------------------------------------------------------------------


def test_a_share_of_an_amount_is_rounded_half_up_to_the_cent() -> None:
    assert percent_of(12_000_000, 1000) == 1_200_000  # 10% of $120,000
    assert percent_of(9_999_999, 1250) == 1_250_000  # 12.5% of $99,999.99 = $12,499.99875
    assert percent_of(1, 5000) == 1  # half a cent rounds up
    assert percent_of(1, 4999) == 0


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (12_000_000, "USD", "$120,000"),
        (9_550_050, "EUR", "€95,500.50"),
        (100_000, "CHF", "CHF 1,000"),
        (-500_000, "USD", "-$5,000"),
        (5, "GBP", "£0.05"),
    ],
)
def test_money_is_shown_with_its_symbol_and_thousands_separators(
    cents: int, currency: str, text: str
) -> None:
    assert format_money(cents, currency) == text


@pytest.mark.parametrize(("bp", "text"), [(1200, "12%"), (1250, "12.5%"), (2001, "20.01%"), (10_000, "100%")])
def test_percentages_are_shown_with_at_most_two_decimals(bp: int, text: str) -> None:
    assert format_percent(bp) == text


# --- properties ---------------------------------------------------------------------------------

_amountish = st.one_of(
    st.text(),
    st.text(alphabet="0123456789,.$€£kKmMbB%- ", max_size=40),
    st.from_regex(r"[$€]?[0-9]{1,40}(\.[0-9]{1,12})?[kmb]?", fullmatch=True),
)


@given(_amountish)
@example("1" * 29)
@example("9" * 40 + "b")
def test_parse_amount_raises_nothing_but_input_error_on_any_text(text: str) -> None:
    try:
        amount = parse_amount(text)
    except InputError:
        return
    assert 0 < amount.cents <= TRILLION * 100


@given(st.integers(min_value=1, max_value=TRILLION))
def test_any_whole_amount_up_to_a_trillion_reads_back_to_the_same_cents(whole: int) -> None:
    cents = whole * 100
    assert parse_amount(format_money(cents, "USD")) == Amount(cents, "USD")
    assert parse_amount(format_money(cents, "EUR")) == Amount(cents, "EUR")
    assert parse_amount(str(whole)) == Amount(cents, None)
    assert parse_amount(f"{whole:,}") == Amount(cents, None)


@given(st.integers(min_value=1, max_value=TRILLION * 100))
def test_any_amount_with_cents_reads_back_from_how_it_is_shown(cents: int) -> None:
    assert parse_amount(format_money(cents, "USD")).cents == cents
