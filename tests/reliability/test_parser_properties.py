"""Properties of the parsers, over generated input: they fail only with the project's own errors, every amount
format reads as the exact cents it names, what is shown reads back as itself, and a proposal read from chat
logs exactly what it showed.

Error types, as the code raises them: `parse_command` raises only `CommandError` (an `InputError`, itself a
`DealCoachError`); `parse_amount`, `parse_percent`, `parse_concession`, `split_worth` and `free_text` raise
only `InputError`; `find_offer` raises nothing (it answers None)."""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.commands import types as commands
from bot.commands.parse import USAGE, CommandError, parse_command
from bot.domain.concession_text import MAX_TEXT_CHARS, free_text, parse_concession, spec_words, split_worth
from bot.domain.errors import InputError
from bot.domain.model import ConcessionType
from bot.domain.money import (
    CODES,
    MAX_AMOUNT_CENTS,
    MULTIPLIERS,
    SYMBOL_OF,
    SYMBOLS,
    Amount,
    format_money,
    format_percent,
    parse_amount,
    parse_percent,
)
from bot.domain.offers import find_offer
from bot.domain.reader import read_concession

EXAMPLES = 200  # pure functions: cheap, so more examples than the HTTP properties
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words the command language is made of, and things people paste by accident.
VOCABULARY = [
    "new", "list", "status", "ask", "concede", "get", "undo", "coach", "qualify", "hours", "flag", "walk", "won",
    "lost", "back", "summary", "policy", "help", "all", "price", "cut", "free", "terms", "worth", "for", "clear",
    "ethics", "fit", "acme", "ACME", "#1", "#0", "#999999999999", "#1234567890123", "list=", "floor=", "target=",
    "cap=", "customer=", "list=120k", "floor=90k", "cap=15%", 'customer="Acme Corp"', "needs=yes", "budget=maybe",
    "managers=", "alert_channel=", "timezone=Mars/Base", "digest_hour=99", "stale_days=0", "10%", "12.5%", "150%",
    "-5%", "1.2.3%", "$1,200", "1.2k", "€95k", "EUR 95k", "95k EUR", "¥100", "£2,000", "1e9", "NaN", "Infinity",
    "1_000", "½", "١٢٣", "𝟏𝟐", "−5k", "0", ".5k", "1,2,3", "12O,000", "“quoted”", '"', "=", "%", "#", "@", "<@U0REP>",
    "<#C0DEALS|deals>", "<!channel>", "&amp;", "&lt;", "\u200b", "\u202e", "\x00", "\t", "\n", "week", "quarter",
]
garbage_words = st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=12))
garbage_commands = st.one_of(
    st.text(max_size=200),
    st.lists(garbage_words, max_size=10).map(" ".join),
    st.tuples(st.sampled_from(sorted(USAGE)), st.lists(garbage_words, max_size=8)).map(
        lambda parts: " ".join([parts[0], *parts[1]])),
)


# Amounts in every format the contract accepts -----------------------------------------------------------


@st.composite
def typed_amounts(draw: st.DrawFn, *, compact: bool = False, worth: bool = False) -> tuple[str, Decimal, str | None]:
    """(as typed, the value it names, its currency): `120000`, `120,000`, `$120,000`, `120k`, `1.2m`, `€95k`,
    `95.5k`, `.5k`, `EUR 95k`, `95k EUR`, `usd95K`, ... `compact`: no space inside (a `key=value` option);
    `worth`: a space only before a currency code at the end (how `worth <amount>` reads)."""
    mult = draw(st.sampled_from(["", "k", "K", "m", "M", "b", "B"]))
    scale = MULTIPLIERS[mult.lower()]
    whole = draw(st.integers(min_value=0, max_value=(10**12 // scale) + 1))
    decimals = draw(st.integers(min_value=0, max_value=3))
    number = f"{whole:,}" if draw(st.booleans()) else str(whole)
    if decimals:
        fraction = str(draw(st.integers(min_value=0, max_value=10**decimals - 1))).zfill(decimals)
        number = f"{number}.{fraction}"
        if whole == 0 and draw(st.booleans()):
            number = number[1:]  # ".5k"
    space = "" if compact or worth else draw(st.sampled_from(["", " "]))
    typed = number + space + mult
    value = Decimal(number.replace(",", "")) * scale
    place = draw(st.sampled_from(["none", "symbol", "code-before", "code-after"]))
    currency = None
    if place == "symbol":
        symbol = draw(st.sampled_from(sorted(SYMBOLS)))
        typed, currency = symbol + space + typed, SYMBOLS[symbol]
    elif place == "code-before" and not worth:
        currency = draw(st.sampled_from(sorted(CODES)))
        code = draw(st.sampled_from([currency, currency.lower(), currency.title()]))
        typed = code + space + typed
    elif place == "code-after":
        currency = draw(st.sampled_from(sorted(CODES)))
        typed = typed + ("" if compact else draw(st.sampled_from(["", " "]))) + currency
    return typed, value, currency


def cents_of(value: Decimal) -> int:
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reads_as(value: Decimal) -> int | None:
    """The cents an amount must read as, or None when it must be refused (zero, or over a trillion)."""
    cents = cents_of(value)
    return cents if 0 < cents <= MAX_AMOUNT_CENTS else None


@PROPERTY
@given(typed_amounts())
@example(("$1,200", Decimal(1200), "USD"))
@example(("1.2k", Decimal(1200), None))
@example(("€95.5k", Decimal(95500), "EUR"))
@example((".5k", Decimal(500), None))
@example(("0.004", Decimal("0.004"), None))  # rounds to zero cents: refused, never a zero
@example(("1,000,000,000,000", Decimal(10**12), None))
@example(("1000000000000.01", Decimal("1000000000000.01"), None))
def test_every_accepted_amount_format_reads_as_the_exact_cents_it_names(
        amount: tuple[str, Decimal, str | None]) -> None:
    typed, value, currency = amount
    expected = reads_as(value)
    if expected is None:
        with pytest.raises(InputError):
            parse_amount(typed)
        return
    assert parse_amount(typed) == Amount(expected, currency), typed
    assert parse_amount(f"  {typed}  ") == Amount(expected, currency), "surrounding spaces do not matter"


@PROPERTY
@given(typed_amounts())
def test_a_negative_amount_in_any_format_is_an_error_never_a_positive_one(
        amount: tuple[str, Decimal, str | None]) -> None:
    typed, _, _ = amount
    for negative in (f"-{typed}", f"−{typed}"):
        with pytest.raises(InputError):
            parse_amount(negative)


@PROPERTY
@given(st.integers(min_value=1, max_value=MAX_AMOUNT_CENTS), st.sampled_from(sorted(CODES)))
@example(1, "USD")
@example(MAX_AMOUNT_CENTS, "CHF")
@example(9_050_050, "EUR")
def test_every_amount_shown_reads_back_as_the_same_cents_and_currency(cents: int, currency: str) -> None:
    shown = format_money(cents, currency)
    assert parse_amount(shown) == Amount(cents, currency), shown
    if currency in SYMBOL_OF:
        assert shown.startswith(SYMBOL_OF[currency])


@PROPERTY
@given(st.integers(min_value=1, max_value=MAX_AMOUNT_CENTS))
def test_an_amount_shown_without_its_symbol_reads_back_as_the_same_cents(cents: int) -> None:
    """What a rep copies out of a reply (`83,417.50`) is read as exactly that."""
    bare = format_money(cents, "USD").removeprefix("$")
    assert parse_amount(bare) == Amount(cents, None)


PLACES = {
    # place: (command with {a} for the amount, how the parsed command gives it back, amount style)
    "list": ("new acme list={a} floor=1", lambda cmd: cmd.list_price, "compact"),
    "cut": ("concede acme cut {a}", lambda cmd: read_concession(cmd.words).spec.amount, "any"),
    "price": ("concede acme price {a}", lambda cmd: read_concession(cmd.words).spec.amount, "any"),
    "free-worth": ("concede acme free onboarding worth {a}", lambda cmd: read_concession(cmd.words).spec.worth,
                   "worth"),
    "get-worth": ("get acme a case study worth {a}", lambda cmd: cmd.worth, "worth"),
    "won": ("won acme {a}", lambda cmd: cmd.price, "any"),
    "back": ("back acme {a}", lambda cmd: cmd.price, "any"),
}


@pytest.mark.parametrize("place", sorted(PLACES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_an_amount_reads_the_same_in_every_place_a_command_takes_one(place: str, data: st.DataObject) -> None:
    template, amount_of, style = PLACES[place]
    typed, value, currency = data.draw(typed_amounts(compact=style == "compact", worth=style == "worth"))
    expected = reads_as(value)
    command = template.format(a=typed)
    if expected is None:
        with pytest.raises(InputError):  # the parser's CommandError, or the reader's
            amount_of(parse_command(command))
        return
    assert amount_of(parse_command(command)) == Amount(expected, currency), command


@PROPERTY
@given(st.integers(min_value=1, max_value=10_000))
@example(1)
@example(1250)
@example(10_000)
def test_every_percentage_shown_reads_back_as_the_same_basis_points(basis_points: int) -> None:
    shown = format_percent(basis_points)
    assert parse_percent(shown) == basis_points, shown
    concede, policy = parse_command(f"concede acme {shown}"), parse_command(f"policy cap={shown}")
    assert isinstance(concede, commands.Concede) and isinstance(policy, commands.PolicyCommand)
    assert read_concession(concede.words).spec.percent_bp == basis_points
    assert policy.changes == {"cap_bp": basis_points}


@PROPERTY
@given(st.decimals(min_value=Decimal("-200"), max_value=Decimal("200"), places=3, allow_nan=False,
                   allow_infinity=False))
def test_a_typed_percentage_reads_exactly_or_is_refused_never_rounded(value: Decimal) -> None:
    typed = f"{value}%"
    basis_points = value * 100
    if value <= 0 or value > 100 or basis_points != basis_points.to_integral_value():
        with pytest.raises(InputError):
            parse_percent(typed)
    else:
        assert parse_percent(typed) == int(basis_points)


# Nothing but our own errors -----------------------------------------------------------------------------


@settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage_commands)
@example("concede acme 1e999999%")
@example("hours acme 1e999999")
@example("hours acme NaN")
@example("hours acme sNaN")
@example("hours acme -Infinity")
@example("new " + "n" * 5000)
@example("policy timezone=../../../etc/passwd")
@example("policy timezone=\x00")
@example("summary <@U0REP|rep> month <@U0OTHER>")
@example('new acme list=1 floor=1 customer="')
@example("concede acme free x for for for")
def test_any_command_text_parses_or_raises_a_command_error_with_a_usage_line(text: str) -> None:
    try:
        command = parse_command(text)
    except CommandError as error:
        assert error.message and error.usage.startswith("/deal ")
        assert len(error.message) < 400, "an error is a short sentence, not an echo of the input"
        return
    assert type(command).__module__ == commands.__name__


@PROPERTY
@given(st.one_of(st.text(max_size=60), st.lists(garbage_words, max_size=6).map(" ".join)))
@example("1" * 5000)
@example("$" + "9" * 400 + "k")
@example("EUR")
@example("1.5.5k")
def test_amount_and_percentage_parsers_raise_nothing_but_input_error(text: str) -> None:
    for parse in (parse_amount, parse_percent):
        try:
            parse(text)
        except InputError as error:
            assert error.message


@PROPERTY
@given(st.one_of(st.text(max_size=80), st.lists(garbage_words, max_size=8).map(" ".join)))
@example("free x worth")
@example("terms net 60 worth worth worth 5k")
@example("free " + "y" * 600)
@example("price")
def test_concession_words_parse_or_raise_nothing_but_input_error(text: str) -> None:
    for parse in (parse_concession, split_worth, lambda t: free_text(t, "the text", MAX_TEXT_CHARS)):
        try:
            parse(text)
        except InputError as error:
            assert error.message


# A concession's words read back as the same concession ---------------------------------------------------


item_words = st.text(alphabet=st.characters(categories=("L", "N"), include_characters=" -"), min_size=1,
                     max_size=30).map(str.strip).filter(lambda t: t and "worth" not in t.lower())


@st.composite
def concession_texts(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["percent", "price", "cut", "free", "terms"]))
    if kind == "percent":
        return format_percent(draw(st.integers(min_value=1, max_value=10_000)))
    if kind in ("price", "cut"):
        return f"{kind} {draw(typed_amounts())[0]}"
    worth = f" worth {draw(typed_amounts(worth=True))[0]}" if draw(st.booleans()) else ""
    return f"{kind} {draw(item_words)}{worth}"


@PROPERTY
@given(concession_texts())
@example("free onboarding worth €2k")
@example("cut 5k EUR")
@example("price $90,123.45")
def test_a_concession_reads_back_from_the_words_it_is_shown_in(typed: str) -> None:
    try:
        spec = parse_concession(typed)
    except InputError:
        return  # a zero or too large amount: refused, and nothing to read back
    assert parse_concession(spec_words(spec)) == spec, spec_words(spec)


# What a thread proposal shows is what its click records --------------------------------------------------


CHAT = [
    "they want", "they asked if we could do", "we gave", "I offered", "I threw in", "can you do", "free", "for free",
    "net 60", "net-90", "3-year term", "renewal uplift", "10%", "15 percent", "5-10%", "another 5%", "$5k", "€5k off",
    "£2,000 off", "¥100", "90k", "1.2m", "off", "discount", "at", "price of", "come down to", "kickback", "bribe",
    "two months free", "onboarding", "training", "&amp;", "<@U0REP>", "\n", "cut", "knock", "100000", "99,999",
    "and", ".", ",", "0%", "1000%", "¯\\_(ツ)_/¯", "🙂",
]
chat_messages = st.one_of(st.text(max_size=120), st.lists(st.one_of(st.sampled_from(CHAT), st.text(max_size=6)),
                                                          max_size=12).map(" ".join))


def same_concession(shown, logged) -> bool:  # noqa: ANN001 - two ConcessionSpecs
    """Equal, reading the shown text as Slack escapes it (`&amp;` is the `&` the rep typed)."""
    return logged == shown or logged == type(shown)(**{**shown.__dict__, "text": html.unescape(shown.text)})


@settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chat_messages)
@example("they want €5k off")  # a euro cut must stay in euros when logged, or a dollar deal takes it as dollars
@example("we went to $90,000")
@example("I offered them net 60 to close this week")
@example("their buyer hinted at a kickback if we go to 90k")
def test_what_a_thread_proposal_shows_is_what_logging_it_records(message: str) -> None:
    offer = find_offer(message)  # never raises
    if offer is None:
        return
    words = spec_words(offer.spec)
    logged = parse_concession(words)
    assert same_concession(offer.spec, logged), (message, words, offer.spec, logged)


@pytest.mark.parametrize("message", ["they want free training worth it", "I threw in free onboarding worth 5k"])
def test_a_free_item_read_from_chat_keeps_its_worth_apart_so_the_proposal_logs_as_shown(message: str) -> None:
    offer = find_offer(message)
    assert offer is not None and offer.spec.type is ConcessionType.FREE
    assert "worth" not in offer.spec.text
    assert parse_concession(spec_words(offer.spec)) == offer.spec
