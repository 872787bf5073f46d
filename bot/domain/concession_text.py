"""The words for a concession: `10%`, `price 90k`, `cut 5k`, `free <item> [worth <amount>]`, `terms <text> …`."""

from __future__ import annotations

import html
import re

from bot.domain.deals import ConcessionSpec
from bot.domain.errors import InputError
from bot.domain.model import ConcessionType
from bot.domain.money import Amount, looks_like_percent, parse_amount, parse_percent

MAX_TEXT_CHARS = 500
_MONTHS = re.compile(r"(?:(\d{1,3})|an?|one)\s+(?:extra\s+|more\s+)?months?", re.IGNORECASE)  # `free 3 months`
_WORTH = re.compile(r"^(?P<body>.*?)\s+worth\s+(?P<worth>\S+(?:\s+[A-Za-z]{3})?)\s*$", re.IGNORECASE | re.DOTALL)


def parse_concession(text: str) -> ConcessionSpec:
    """One concession in the command's words; InputError names what does not read."""
    text = text.strip()
    if looks_like_percent(text) and " " not in text:
        return ConcessionSpec(ConcessionType.PERCENT, percent_bp=parse_percent(text, what="the concession"))
    parts = text.split(maxsplit=1)
    kind = parts[0].lower() if parts else ""
    body = parts[1].strip() if len(parts) > 1 else ""
    if kind in ("price", "cut"):
        if not body:
            raise InputError(f"`{kind}` needs an amount.")
        return ConcessionSpec(ConcessionType(kind), amount=parse_amount(body, what=f"the {kind}"))
    if kind in ("free", "terms"):
        body, worth = split_worth(body)
        what = "the free item" if kind == "free" else "the terms"
        item = free_text(body, what, MAX_TEXT_CHARS)
        months = _MONTHS.fullmatch(item) if kind == "free" else None
        return ConcessionSpec(ConcessionType(kind), text=item, worth=worth,
                              months=int(months.group(1) or 1) if months else None)
    shown = text if len(text) <= 40 else text[:39] + "…"
    raise InputError(f"`{shown}` is not a concession I know.")


def spec_words(spec: ConcessionSpec) -> str:
    """A concession back in the command's words, so a proposal can be logged exactly as typed."""
    if spec.type is ConcessionType.PERCENT:
        return f"{(spec.percent_bp or 0) / 100:g}%"
    if spec.type in (ConcessionType.CUT, ConcessionType.PRICE):
        assert spec.amount is not None
        return f"{spec.type.value} {_amount_words(spec.amount)}"
    worth = f" worth {_amount_words(spec.worth)}" if spec.worth else ""
    return f"{spec.type.value} {spec.text}{worth}"


def _amount_words(amount: Amount) -> str:
    """`5000.00`, or `5000.00 EUR` when the amount named its currency: a euro cut read in a thread must not
    be logged on a dollar deal as dollars."""
    whole, cents = divmod(amount.cents, 100)
    number = f"{whole}.{cents:02d}"
    return f"{number} {amount.currency}" if amount.currency else number


def split_worth(text: str) -> tuple[str, Amount | None]:
    """`onboarding worth 5k` -> ("onboarding", 5k)."""
    match = _WORTH.match(text)
    if not match:
        return text, None
    return match.group("body"), parse_amount(match.group("worth"), what="the worth")


def free_text(raw: str, what: str, limit: int, *, required: bool = True) -> str:
    """Free text as the user meant it (Slack escapes &, < and >), length-checked."""
    text = html.unescape(raw.strip())
    if required and not text:
        raise InputError(f"Say {what}.")
    if len(text) > limit:
        raise InputError(f"{what.capitalize()} is {len(text):,} characters; keep it under {limit}.")
    return text
