"""Finds an ask or a concession in a rep's chat message, offline: what the deal thread proposes for the ledger.

Nothing found here is recorded: the rep confirms with a button. So the reader prefers to notice an offer
(recall) and names its kind ask unless the words say the rep already gave it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.deals import ConcessionSpec
from bot.domain.errors import InputError
from bot.domain.ethics import ethics_markers
from bot.domain.model import ConcessionType
from bot.domain.money import Amount, parse_amount, parse_percent

_MONEY = r"(?:(?:[$€£¥])\s?\d[\d,]*(?:\.\d+)?\s?[kKmM]?|\d[\d,]*(?:\.\d+)?\s?[kKmM]\b|\d{1,3}(?:,\d{3})+|\d{4,})"

_PERCENT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s?(?:-|–|to)?\s?(\d{1,3}(?:\.\d{1,2})?)?\s?(?:%|percent\b|pct\b)",
    re.IGNORECASE,
)
_NOT_AN_OFFER_PERCENT = re.compile(
    r"\b(churn|growth|grew|margin|utili[sz]ation|conversion|uptime|adoption|attrition|share|tax|vat|retention|"
    r"response rate|win rate|likelihood|probability|chance|confidence|down|up|increase[ds]?|decrease[ds]?|"
    r"uptime|sla|of (?:the )?(?:team|users|employees|staff))\b", re.IGNORECASE)
_CUT = re.compile(rf"({_MONEY})\s?(?:off|discount|cheaper|less|lower|reduction|credit)\b|"
                  rf"\b(?:knock|knocked|take|took|shave|shaved|cut|drop|dropped)\s+(?:another\s+)?({_MONEY})\s+"
                  rf"(?:off|from)\b", re.IGNORECASE)
_PRICE = re.compile(
    rf"\b(?:at|to|for|price of|priced at|pay|paying|sign at|signs at|get to|come down to|land at|budget is|"
    rf"budget of|cap(?:ped)? at|total of|closer to|meet at|max(?:imum)? of|between|counter is|counter of|"
    rf"quote of|price is|number (?:we gave them |is )?is|offered(?: them)?|do|said)\s+(?:~|about\s+)?({_MONEY})"
    rf"(?!\s*(?:users|seats|people|employees|licen[cs]es|a year|per year|/yr|series|in revenue|arr))|"
    rf"({_MONEY})\s+is the most\b",
    re.IGNORECASE)
_TERMS = re.compile(
    r"\b(net[\s-]?\d{2,3}|quarterly (?:payments?|billing|invoic\w*)|monthly (?:payments?|billing|invoic\w*)|"
    r"payment terms?|pay(?:ment)? in (?:arrears|installments)|deferred payment|price lock|"
    r"lock(?:ed|ing)? (?:the |their )?(?:price|pricing|rate)|(?:semi-?)?annual(?:ly)?(?: billing| payments?)?|"
    r"renewal (?:uplift|increase|cap)|uplift|price increase cap|escalator|"
    r"out[\s-]clause|opt[\s-]out|termination for convenience|extended payment|longer payment|"
    r"(?:\d+|one|two|three)[\s-]year (?:term|contract|commitment)|multi[\s-]year)\b", re.IGNORECASE)
_FREE = re.compile(
    r"\b(?<!the )(?:free(?! trial)|at no (?:extra )?(?:cost|charge)|complimentary|waive[ds]?|throw(?:s|n)? in|"
    r"threw in|no charge for|on the house|gratis)\b\s*(?:the\s+)?([\w\s-]{0,40})|"
    r"\b([\w\s-]{2,40}?),?\s+(?:no charge|for free|at no (?:extra )?cost)\b", re.IGNORECASE)
_MONTHS_FREE = re.compile(r"\b((?:\d+|one|two|three|four|six|first|a)\s+months?)\s+free\b", re.IGNORECASE)
_GIVEN = re.compile(
    r"\b(?:i|we)\s+(?:already\s+|just\s+|then\s+)?(?:offered|offerd|gave|give|conceded|agreed|threw|included|"
    r"dropped|cut|knocked|waived|extended|said yes|matched|approved|budged|moved|went|came down|offer|can do|"
    r"'ll do|will do|'d do|could do|'ll give|will give|'ll throw|will throw|took|shaved|caved|met|countered|"
    r"capped|re-?quoted|told them)\b|"
    r"^\s*(?:ok\s+|so\s+|fyi\s+)?(?:offered|offerd|gave|conceded|agreed|threw|included|dropped|knocked|waived|"
    r"extended|said yes|matched|approved|went to|came down|took|shaved|caved|met them|countered|capped|"
    r"re-?quoted|final number)\b|"
    r"\bagreed (?:to|at)\b|\boffered (?:them|it|to)\b|\bgave (?:them|it)\b|\bwe're (?:giving|letting)\b|"
    r"\bi'm giving\b|\bcaved\b", re.IGNORECASE)
_ASKED = re.compile(r"\b(?:asked|asking|ask)\s+(?:if|whether|us|for|me)\b|\bwant(?:s)? us to\b", re.IGNORECASE)


@dataclass(frozen=True)
class Offer:
    kind: str  # "ask" or "concession"
    spec: ConcessionSpec
    ethics: tuple[str, ...] = ()


def find_offer(text: str) -> Offer | None:
    """The first offer a message names, read as the concession it is or would be; None if it names none."""
    markers = ethics_markers(text)
    spec = _spec(text)
    if spec is None and not markers:
        return None
    if spec is None:
        spec = ConcessionSpec(ConcessionType.TERMS, text=text.strip()[:200])
    kind = "concession" if _given(text) and not markers else "ask"
    return Offer(kind, spec, markers)


def _given(text: str) -> bool:
    """The rep's own move: a giving verb that is not inside the customer's request ("asked if we could do")."""
    given = _GIVEN.search(text)
    if given is None:
        return False
    asked = _ASKED.search(text)
    return asked is None or given.start() > asked.end() + 3


def _spec(text: str) -> ConcessionSpec | None:
    for finder in (_uplift, _percent, _cut, _months_free, _free, _terms, _price):
        spec = finder(text)
        if spec is not None:
            return spec
    return None


def _uplift(text: str) -> ConcessionSpec | None:
    """A percentage on a renewal uplift or escalator is a contract term, not a discount."""
    match = re.search(r"\b(?:uplift|escalator|price increase|increase cap)\b[^.]{0,30}?\d+(?:\.\d+)?\s?%|"
                      r"\d+(?:\.\d+)?\s?%[^.]{0,20}?\b(?:uplift|escalator|increase cap)\b", text, re.IGNORECASE)
    return ConcessionSpec(ConcessionType.TERMS, text=match.group(0).strip()) if match else None


def _percent(text: str) -> ConcessionSpec | None:
    for match in _PERCENT.finditer(text):
        context = text[max(0, match.start() - 40): match.end() + 30]
        if _NOT_AN_OFFER_PERCENT.search(context):
            continue
        value = match.group(2) or match.group(1)  # a range is judged at its top
        try:
            return ConcessionSpec(ConcessionType.PERCENT, percent_bp=parse_percent(value + "%"))
        except InputError:
            continue
    return None


def _cut(text: str) -> ConcessionSpec | None:
    for match in _CUT.finditer(text):
        amount = _amount(match.group(1) or match.group(2))
        if amount is not None:
            return ConcessionSpec(ConcessionType.CUT, amount=amount)
    return None


def _price(text: str) -> ConcessionSpec | None:
    for match in _PRICE.finditer(text):
        amount = _amount(match.group(1) or match.group(2))
        if amount is not None and amount.cents >= 100_000:  # prices, not "at 3" or "for 2 weeks"
            return ConcessionSpec(ConcessionType.PRICE, amount=amount)
    return None


def _terms(text: str) -> ConcessionSpec | None:
    match = _TERMS.search(text)
    return ConcessionSpec(ConcessionType.TERMS, text=match.group(0).strip()) if match else None


def _months_free(text: str) -> ConcessionSpec | None:
    match = _MONTHS_FREE.search(text)
    return ConcessionSpec(ConcessionType.FREE, text=f"{match.group(1)} free") if match else None


def _free(text: str) -> ConcessionSpec | None:
    match = _FREE.search(text)
    if not match:
        return None
    named = match.group(1) or match.group(2) or ""
    item = re.split(r"\b(?:if|for|and|but|so|to|as|when|because)\b|[.,;!?]", named)[0].strip()
    return ConcessionSpec(ConcessionType.FREE, text=item or "something free")


def _amount(raw: str | None) -> Amount | None:
    if not raw:
        return None
    try:
        return parse_amount(raw.replace(" ", ""))
    except InputError:
        return None
