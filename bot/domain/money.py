"""Amounts and percentages: parsing what reps type, exact integer arithmetic, formatting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.domain.errors import InputError

MAX_AMOUNT_CENTS = 10**12 * 100  # anything above a trillion is a typo, not a deal
BASIS_POINTS = 10_000  # 100% in hundredths of a percent

SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
CODES = frozenset({"USD", "EUR", "GBP", "JPY", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "INR", "SGD"})
SYMBOL_OF = {code: symbol for symbol, code in SYMBOLS.items()}
MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}

_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_AMOUNT = re.compile(
    r"^(?P<sign>[-−]?)\s*(?P<prefix>[$€£¥]|(?:[A-Za-z]{3}\s?))?\s*(?P<sign2>[-−]?)"
    + _NUMBER
    + r"\s*(?P<mult>[kKmMbB]?)\s*(?P<suffix>[A-Za-z]{3})?$"
)
_PERCENT = re.compile(r"^(?P<sign>[-−]?)(?P<number>\d+(?:\.\d+)?|\.\d+)\s*%$")


@dataclass(frozen=True)
class Amount:
    """An amount as typed: whole cents and the currency it named, if any."""

    cents: int
    currency: str | None = None


def parse_amount(text: str, *, what: str = "amount") -> Amount:
    """`120000`, `120,000`, `$120,000`, `120k`, `1.2m`, `€95k`, `95.5k`, `EUR 95k`; never zero by accident."""
    raw = text.strip()
    match = _AMOUNT.match(raw)
    if not match:
        raise InputError(f"`{_clip(raw)}` is not an amount I can read for {what} (try 120000, $120k or 1.2m).")
    currency = _currency_of(match.group("prefix"), match.group("suffix"), raw, what)
    if len(match.group("number").replace(",", "").split(".")[0]) > 13:
        raise InputError(f"{what.capitalize()} `{_clip(raw)}` is over a trillion; check the number.")
    try:
        value = Decimal(match.group("number").replace(",", "")) * MULTIPLIERS[match.group("mult").lower()]
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise InputError(f"`{_clip(raw)}` is not a number.") from exc
    cents = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if match.group("sign") or match.group("sign2"):
        raise InputError(f"{what.capitalize()} must be more than zero, not `{_clip(raw)}`.")
    if cents <= 0:
        raise InputError(f"{what.capitalize()} must be more than zero, not `{_clip(raw)}`.")
    if cents > MAX_AMOUNT_CENTS:
        raise InputError(f"{what.capitalize()} `{_clip(raw)}` is over a trillion; check the number.")
    return Amount(cents=cents, currency=currency)


def _currency_of(prefix: str | None, suffix: str | None, raw: str, what: str) -> str | None:
    codes = []
    for part in (prefix, suffix):
        if not part:
            continue
        part = part.strip()
        code = SYMBOLS.get(part) or part.upper()
        if code not in CODES:
            raise InputError(f"`{_clip(raw)}` is not an amount I can read for {what}: unknown currency `{part}`.")
        codes.append(code)
    if len(set(codes)) > 1:
        raise InputError(f"`{_clip(raw)}` names two currencies.")
    return codes[0] if codes else None


def parse_percent(text: str, *, what: str = "percentage") -> int:
    """`12%` or `12.5%` as basis points (hundredths of a percent), above 0 and at most 100%."""
    raw = text.strip()
    match = _PERCENT.match(raw)
    if not match:
        raise InputError(f"`{_clip(raw)}` is not a percentage for {what} (try 12% or 12.5%).")
    basis_points = Decimal(match.group("number")) * 100
    if basis_points != basis_points.to_integral_value():
        raise InputError(f"`{_clip(raw)}`: use at most two decimals in a percentage.")
    if match.group("sign") or basis_points <= 0:
        raise InputError(f"{what.capitalize()} must be more than 0%, not `{_clip(raw)}`.")
    if basis_points > BASIS_POINTS:
        raise InputError(f"{what.capitalize()} cannot be over 100%, not `{_clip(raw)}`.")
    return int(basis_points)


def looks_like_percent(text: str) -> bool:
    return text.strip().endswith("%")


def percent_of(cents: int, basis_points: int) -> int:
    """That share of an amount, rounded half up to the cent."""
    return (cents * basis_points + BASIS_POINTS // 2) // BASIS_POINTS


def format_money(cents: int, currency: str) -> str:
    """`$120,000`, `€95,500.50`, `CHF 1,000`; negative amounts keep their sign in front."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    number = f"{whole:,}" if part == 0 else f"{whole:,}.{part:02d}"
    symbol = SYMBOL_OF.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"


def format_percent(basis_points: float) -> str:
    """Basis points as `12%` or `12.5%`, at most two decimals."""
    value = Decimal(str(basis_points)) / 100
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
