"""Finds an ask or a concession in a rep's chat message, offline: what the deal thread proposes for the ledger.

Nothing found here is recorded: the rep confirms with a button. So the reader prefers to notice an offer
(recall). What is offered is read here (a percentage, a cut, a price, something free, terms); whose move it is
is read clause by clause in `offer_kind`: a concession when the rep gave, offers or has decided to give it,
in any tense, else the customer's ask (what they want, their counter, the rep asking the team about it, a
refusal). A message naming both is the rep's concession, read from the rep's clause; an unethical demand
is always an ask."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.deals import ConcessionSpec
from bot.domain.errors import InputError
from bot.domain.ethics import ethics_markers
from bot.domain.model import ConcessionType
from bot.domain.money import Amount, parse_amount, parse_percent
from bot.domain.offer_kind import ASK, CONCESSION, clause_kind, clauses

_MONEY = r"(?:(?:[$€£¥])\s?\d[\d,]*(?:\.\d+)?\s?[kKmM]?|\d[\d,]*(?:\.\d+)?\s?[kKmM]\b|\d{1,3}(?:,\d{3})+|\d{4,})"

_PERCENT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s?(?:-|–|to)?\s?(\d{1,3}(?:\.\d{1,2})?)?\s?(?:%|percent\b|pct\b)",
    re.IGNORECASE,
)
_NOT_AN_OFFER_PERCENT = re.compile(
    r"\b(churn|growth|grew|margin|utili[sz]ation|conversion|uptime|adoption|attrition|share|tax|vat|retention|"
    r"response rate|win rate|likelihood|probability|chance|confidence|increase[ds]?|decrease[ds]?|uptime|sla|"
    r"(?:down|up)\s+(?:by\s+)?\d+|\d+\s?(?:%|percent)\s+(?:down|up)|of (?:the )?(?:team|users|employees|staff))\b",
    re.IGNORECASE)
_CUT = re.compile(rf"({_MONEY})\s?(?:off|discount|cheaper|less|lower|reduction|credit)\b|"
                  rf"\b(?:knock|knocked|take|took|shave|shaved|cut|drop|dropped)\s+(?:another\s+)?({_MONEY})\s+"
                  rf"(?:off|from)\b", re.IGNORECASE)
_PRICE = re.compile(
    rf"\b(?:at|to|for|price of|priced at|pay|paying|sign at|signs at|get to|come down to|land at|budget is|"
    rf"budget of|cap(?:ped)? at|total of|closer to|meet at|max(?:imum)? of|between|counter is|counter of|"
    rf"quote of|price is|number (?:we gave them |is )?is|offered(?: them)?|do|said|land(?:ed)? at|"
    rf"(?:countered|came back) with|propos(?:ed|ing)|suggest(?:ed|ing)|accept(?:ed)?|quot(?:ed|ing)(?: them)?)"
    rf"\s+(?:~|about\s+)?({_MONEY})"
    rf"(?!\s*(?:users|seats|people|employees|licen[cs]es|a year|per year|/yr|series|in revenue|arr))|"
    rf"({_MONEY})\s+is the (?:most|max|ceiling|limit)\b",
    re.IGNORECASE)
_TERMS = re.compile(
    r"\b(net[\s-]?\d{2,3}|quarterly (?:payments?|billing|invoic\w*)|monthly (?:payments?|billing|invoic\w*)|"
    r"payment terms?|pay(?:ment)? in (?:arrears|installments)|pay (?:quarterly|monthly|semi-?annually)|"
    r"deferred payment|price lock(?:ed)?|"
    r"lock(?:ed|ing)? (?:the |their )?(?:price|pricing|rate)|(?:semi-?)?annual(?:ly)?(?: billing| payments?)?|"
    r"renewal (?:uplift|increase|cap)|uplift|price increase cap|escalator|"
    r"out[\s-]clause|opt[\s-]out|termination for convenience|extended payment|longer payment|"
    r"(?:\d+|one|two|three)[\s-]year (?:term|contract|commitment)|multi[\s-]year)\b", re.IGNORECASE)
_FREE = re.compile(
    r"\b(?<!the )(?:free(?! trial)|at no (?:extra )?(?:cost|charge)|complimentary|waive[ds]?|waiving|"
    r"throw(?:s|n|ing)? in|threw in|no charge for|on the house|gratis)\b\s*(?:the\s+)?([\w\s-]{0,40})|"
    r"\b([\w\s-]{2,40}?),?\s+(?:no charge|for free|at no (?:extra )?cost)\b", re.IGNORECASE)
_WORTH = re.compile(rf"\bworth\s+(?:about\s+|~)?({_MONEY})", re.IGNORECASE)
_MONTHS_FREE = re.compile(r"\b((?:\d+|one|two|three|four|six|first|a)\s+months?)\s+free\b|"
                          r"\b((?:\d+|one|two|three|a|an|the|extra)\s+(?:extra\s+)?free\s+months?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Offer:
    kind: str  # "ask" or "concession"
    spec: ConcessionSpec
    ethics: tuple[str, ...] = ()


def find_offer(text: str) -> Offer | None:
    """The first offer a message names, read as the concession it is or would be; None if it names none.
    A message that names both the customer's ask and the rep's answer is the concession, read from the
    rep's clause ("they asked for 20%, I offered 10%" is a concession of 10%): what would go in the ledger."""
    markers = ethics_markers(text)
    spec = _spec(text)
    if spec is None and not markers:
        return None
    if spec is None:
        spec = ConcessionSpec(ConcessionType.TERMS, text=text.strip()[:200])
    given = _rep_moves(text)
    if markers or not given:
        return Offer(ASK, spec, markers)
    return Offer(CONCESSION, next((named for named in given if named is not None), spec))


def _rep_moves(text: str) -> list[ConcessionSpec | None]:
    """One item per clause in which the rep moves: the offer that clause names, or None if it names none."""
    moves = []
    for clause in clauses(text):
        named = _spec(clause)
        if clause_kind(clause, names_offer=named is not None) == CONCESSION:
            moves.append(named)
    return moves


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
    if not match:
        return None
    return ConcessionSpec(ConcessionType.FREE, text=f"{match.group(1)} free" if match.group(1) else match.group(2))


def _free(text: str) -> ConcessionSpec | None:
    match = _FREE.search(text)
    if not match:
        return None
    named = match.group(1) or match.group(2) or ""
    item = re.split(r"\b(?:if|for|and|but|so|to|as|when|because|worth)\b|[.,;!?]", named)[0].strip()
    # "free onboarding worth 5k": the worth is the item's, as `/deal concede … free X worth Y` would log it.
    worth = _WORTH.search(text[match.start(): match.end() + 30])
    return ConcessionSpec(ConcessionType.FREE, text=item or "something free",
                          worth=_amount(worth.group(1)) if worth else None)


def _amount(raw: str | None) -> Amount | None:
    if not raw:
        return None
    try:
        return parse_amount(raw.replace(" ", ""))
    except InputError:
        return None
