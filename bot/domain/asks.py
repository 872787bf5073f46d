"""Reads a customer's ask as the concession it would be if the rep gave it, to judge it in advance."""

from __future__ import annotations

import re

from bot.domain.concession_text import parse_concession
from bot.domain.deals import ConcessionSpec
from bot.domain.errors import InputError
from bot.domain.model import ConcessionType
from bot.domain.money import parse_amount, parse_percent

_PERCENT = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s*%")
_PRICE = re.compile(r"\b(?:price|pay|at|for|to)\s+([$€£¥]?\d[\d,.]*\s*[kKmM]?)(?!\s*%)\b")
_CUT = re.compile(r"([$€£¥]?\d[\d,.]*\s*[kKmM]?)\s+(?:off|discount|cheaper|less)\b", re.IGNORECASE)
_FREE = re.compile(r"\bfree\s+(.+)$", re.IGNORECASE)


def interpret_ask(text: str) -> ConcessionSpec:
    """A percent, a cut, a price or a free item if the words name one; else terms of unknown worth."""
    try:
        return parse_concession(text)
    except InputError:
        pass
    for pattern, build in ((_PERCENT, _percent), (_CUT, _cut), (_PRICE, _price)):
        match = pattern.search(text)
        if match:
            try:
                return build(match.group(1))
            except InputError:
                continue
    free = _FREE.search(text)
    if free:
        return ConcessionSpec(ConcessionType.FREE, text=free.group(1).strip()[:200])
    return ConcessionSpec(ConcessionType.TERMS, text=text.strip()[:200])


def _percent(value: str) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.PERCENT, percent_bp=parse_percent(value + "%"))


def _cut(value: str) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.CUT, amount=parse_amount(value))


def _price(value: str) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.PRICE, amount=parse_amount(value))
