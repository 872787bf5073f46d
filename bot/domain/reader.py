"""The one reader of a move in people's words: what `/deal concede`, `/deal ask`, a deal-thread message and
"Coach this message" name (a percentage, a cut, a price, free months or an item, terms) and the get after
"for", "in exchange for", "if they" or "as long as".

It works in three steps a newcomer can extend one at a time:
1. `mentions` finds the figures (money and percentages, number words included) and drops what is no money.
2. Each money figure takes its meaning from the words around it, its *cue*: `CUT_CUES` ("knock 4k off",
   "10k off"), `PRICE_CUES` ("down to 90k", "we can do 92,500", "would you take $90", "1600 firm"), or none.
3. The deal decides what a figure without a cue means (`DealTerms`): near the net price it is a price, small
   against list it is a cut, in between it could be either; "at 90" on a $100k deal is read as 90k. A reading
   the deal makes uncertain comes back with `sure=False` and the other way to read it, so the rep confirms.

A new way of saying a cut or a price is one more alternative in a cue list; the strict command forms
(`10%`, `price 90k`, `cut 5k`, `free X worth Y`, `terms X`) are read first, exactly as before."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.domain.concession_text import parse_concession
from bot.domain.deals import ConcessionSpec
from bot.domain.errors import InputError
from bot.domain.ledger import Ledger
from bot.domain.mentions import MONEY, PERCENT, Mention, mentions, normalise
from bot.domain.model import ConcessionType, Deal
from bot.domain.money import CODES, Amount, looks_like_percent

# Words right after an amount that make it an amount off the price.
CUT_AFTER = re.compile(
    r"^\s?(?:off\b|of\b(?!\s+(?:the|a|an|it|them|us|that|this|my|our|their)\b)|discount|cheaper|less\b|lower\b|"
    r"reduction|credit|rebate|knocked off|taken off|in savings)", re.IGNORECASE)
# Words right before an amount that make it an amount off ("knock 4k off", "come down another 5k").
CUT_BEFORE = re.compile(
    r"(?:knock(?:ed|ing)? off|take off|shave off|knock(?:ed|ing)?|shave[ds]?|shaving|cut(?:ting)?|"
    r"drop(?:ped|ping)?|lower(?:ed)?|"
    r"reduc(?:e|ed|ing)|c[oa]me down|coming down|go(?:ing)? down|went down|bring (?:it |the price )?down|"
    r"discount(?:ed)?(?: it)?|save them|saves them)"
    r"(?:\s+(?:it|the price|the total|the deal|the quote|them|us|him|her))?(?:\s+by)?"
    r"(?:\s+(?:another|an extra|an additional|a further|additional|extra|a))?\s*$", re.IGNORECASE)
# Words right before an amount that make it a price: what someone would pay, take, accept or sign at.
PRICE_BEFORE = re.compile(
    r"(?:\bto|\bat|\bfor|\bdo|\bpay|\bpaying|price(?: is| of)?|bottom line(?: is)?|rock bottom(?: is)?|"
    r"(?:go|going|come|coming) (?:any )?lower than|do (?:it|them|both) for|sell (?:\w+ ){0,2}for|"
    r"let (?:\w+ ){0,2}go for|\boffer(?:ed|ing)?(?: (?:you|them|him|her|us))?|"
    r"counter(?:ed|ing)?(?: (?:at|with|of))?|quote of|between|(?:number|price|offer|counter|quote)\b[^.?!\d]{0,25}\bis|"
    r"came back (?:at|with)|come back (?:at|with)|came in (?:at|with)|"
    r"as low as|as high as|how about|what about|take|accept|agree(?:d)? (?:on|to)|meet (?:me|them|you|us|him|her)"
    r"(?: in the middle| halfway)?(?: at)?|settle (?:at|for|on)|settled (?:at|for|on)|land(?:ed)? (?:at|on)|"
    r"deal at|price of|priced at|total of|budget(?: is| of)|number(?: is)?|ceiling(?: is)?|max(?:imum)?(?: is| of)?|"
    r"best (?:i|we|they) can do is|lowest (?:i|we)(?:'d|'ll| will| would| can| could)? (?:go|do|take)(?: is)?|"
    r"(?:go|going|drop|dropping|come) below|consider|give (?:you|them|u)|(?:i|we|i'?d|we'?d|i'?ll|could) go|"
    r"(?:you|u) go|match|accept (?:your|their)|(?:all|the most) i(?:'ve| have)? got is|i have is|go(?:ing)? in at|"
    r"let (?:it|them|you) go for|part with (?:it|them) for|sell (?:it |them )?for|split the difference at|"
    r"go(?:ing)? (?:up )?to|went (?:up )?to|come down to|came down to|down to|drop(?:ped)? to|bring it to|"
    r"sign(?:s|ed)? at|quot(?:e|ed|ing)(?: (?:them|you|him|her))?|propos(?:e|ed|ing)|suggest(?:ed|ing)?|"
    r"can do|could do|would do|will do|i'?ll do|we'?ll do|we do|i do|ok(?:ay)? with|fine with|happy with|"
    r"would work at|works at|obo|only|just|like|even|flat|cash)"
    r"(?:\s+(?:~|about|around|roughly|approx(?:imately)?|like|just|only|maybe|say|an even|a flat))?\s*$",
    re.IGNORECASE)
# Words right after an amount that make it a price on the table.
PRICE_AFTER = re.compile(
    r"^\s?(?:and (?:you|it'?s|its|we(?:'ve)? got|we have|we'?re good|i'?ll|i will|we'?ll|i can|we can|u)\b|"
    r"\?|obo\b|or best|firm\b|final\b|flat\b|cash\b|work\b|if (?:you|u)\b|all in|all-in|out the door|otd\b|"
    r"even\b|total\b|"
    r"is (?:my|our|their|the) (?:final|best|lowest|max|limit|ceiling|budget|number|offer)|"
    r"is the (?:most|max|best|lowest|limit|ceiling)|works\b|would work|tops\b|max\b|and (?:pick|i pick|grab)|"
    r"for (?:it|them|the (?:pair|set|lot|whole|bundle|both|all))|and it'?s yours|for the year|per year|a year)",
    re.IGNORECASE)
# Words before an amount that make it something other than an offer: a price paid, a threshold, a worth.
NOT_AN_OFFER_BEFORE = re.compile(
    r"(?:paid|bought(?: it| them)?(?: for)?|retails?(?: for| at)?|msrp(?: is| of| was)?|listed(?: it)?(?: at| for)?|"
    r"list(?: price)?(?: is| of| was| at)?|asking(?: price)?(?: is| was| of)?|originally|worth(?: about| ~)?|"
    r"valued at|spent|spend|costs?(?: us| them| me)?|cost me|revenue(?: of| is)?|arr(?: of| is)?|"
    r"over|under|above|(?<!go )(?<!drop )(?<!come )below|up to|more than|less than|at least|at most|"
    r"anything over|anything under|"
    r"currently pay(?:ing)?|already pay(?:ing)?|pay(?:ing)? (?:today|now)|"
    r"face value(?: was| is| of)?|new(?: it was| they are| it's)?|saved|raised|funding|salary|fee of|deposit(?: of)?)"
    r"\s*(?:~|about|around)?\s*$", re.IGNORECASE)
# A percentage that is a business figure, not a discount.
NOT_AN_OFFER_PERCENT = re.compile(
    r"\b(churn|growth|grew|margin|utili[sz]ation|conversion|uptime|adoption|attrition|share|tax|vat|retention|"
    r"response rate|win rate|\d+\s?%\s(?:chance|likel\w*|probab\w*|confiden\w*)|increase[ds]?|target|quota|"
    r"gets? (?:me|us) to|per the|policy|decrease[ds]?|sla|health|"
    r"battery|capacity|accuracy|\d+\s?%\s(?:done|complete|sure)|interest|apr|tip|commission|humidity|charged?|"
    r"(?:down|up)\s+(?:by\s+)?\d+|\d+\s?(?:%|percent)\s+(?:down|up|of (?:the |our |their )?\w+)|"
    r"of (?:the )?(?:team|users|employees|staff))\b", re.IGNORECASE)
UPLIFT = re.compile(r"\b(?:uplift|escalator|price increase|increase cap)\b[^.]{0,30}?\d+(?:\.\d+)?\s?%|"
                    r"\d+(?:\.\d+)?\s?%[^.]{0,20}?\b(?:uplift|escalator|increase cap)\b", re.IGNORECASE)
TERMS = re.compile(
    r"\b(net[\s-]?\d{2,3}|quarterly (?:payments?|billing|invoic\w*)|monthly (?:payments?|billing|invoic\w*)|"
    r"payment terms?|split (?:the )?payments?|in arrears|bill(?:ed)? annually|(?:\d+[\s-])?months? ramp|"
    r"ramp(?:ed)? (?:on )?(?:payments?|pricing)|payment ramp|"
    r"pay(?:ment)? in (?:arrears|(?:\w+ )?installments)|(?:semi-?annual|quarterly|monthly) invoicing|"
    r"(?:\d+|one|two|three)[\s-]?(?:yr|year) (?:deal|term|contract|commitment|agreement)|"
    r"pay (?:quarterly|monthly|semi-?annually)|"
    r"bill(?:ed)? (?:quarterly|monthly)|deferred payment|price lock(?:ed)?|payment plan|"
    r"lock(?:ed|ing)? (?:the |their |in the )?(?:price|pricing|rate)|(?:semi-?)?annual(?:ly)?(?: billing| payments?)|"
    r"renewal (?:uplift|increase|cap)|uplift|price increase cap|escalator|"
    r"out[\s-]clause|opt[\s-]out|termination for convenience|extended payment|longer payment|"
    r"(?:\d+|one|two|three)[\s-]year (?:term|contract|commitment|deal|agreement)|multi[\s-]year)\b", re.IGNORECASE)
FREE = re.compile(
    r"\b(?<!the )(?:free(?! trial| of charge)|at no (?:extra )?(?:cost|charge)|complimentary|waive[ds]?|waiving|"
    r"throw(?:s|n|ing)? in|threw in|no charge for|on the house|gratis|"
    r"(?:i'?ll|we'?ll|i can|we can) include|cover(?:s|ed|ing)?(?= (?:the )?"
    r"(?:shipping|delivery|install\w*|setup|set-up|onboarding|training|implementation|fees?|costs?)))\b\s*"
    r"(?:the\s+|in\s+)?([\w\s$€£¥.-]{0,40})|"
    r"(?<!')\b(?!(?:we|i|they|he|she|you|u|it)\b)([\w\s-]{2,40}?),?\s+"
    r"(?:no charge|for free|at no (?:extra )?(?:cost|charge)|free of charge|on us|"
    r"waived|comped|thrown in|for nothing|(?:is|'s|are) on (?:me|us))\b|"
    r"\b([\w-]+(?:\s[\w-]+)?)\s(?:could|can|would|will|should|to)?\s?be (?:free|waived|comped)\b",
    re.IGNORECASE)
MONTHS_FREE = re.compile(
    r"\b(?P<n>\d+|a|an|one|the first|first|1st|another|an extra|extra)\s+(?:extra\s+|additional\s+|more\s+|bonus\s+)?"
    r"(?:free\s+)?months?\s+(?:free|at no (?:extra )?(?:cost|charge)|on us|on the house|gratis|for free)\b|"
    r"\b(?P<n2>\d+|a|an|one|another|extra|the)\s+(?:extra\s+|additional\s+|more\s+|bonus\s+)?free\s+months?\b|"
    r"\bfree\s+(?:for\s+)?(?:the\s+first\s+)?(?P<n3>\d+)\s+months?\b", re.IGNORECASE)
WORTH = re.compile(r"\bworth\s+(?:about\s+|~)?(\S+)", re.IGNORECASE)
_WORTH_BEFORE = re.compile(r"\bworth\s+(?:about\s+|~)?$", re.IGNORECASE)
# What introduces the get; the last one whose left side still reads as a concession wins.
GET = re.compile(r"\s+(?:in exchange for|in return for|in return,?|for|if they|if the customer|if the client|"
                 r"as long as|so long as|provided(?: that)?|on condition that|assuming|once they)\s+", re.IGNORECASE)
# Words that name no get at all: "5% for nothing".
NOTHING = re.compile(
    r"^(?:nothing|none|no|nada|zilch|zero|free|gratis|no reason|nothing in return|nothing back|n/?a|-)\W*$",
    re.IGNORECASE)
# After "for", these are the item's own extent, not a get: "free support for a year", "for 10 users".
EXTENT = re.compile(
    r"^(?:a|one|the|\d+|two|three|six|twelve)\s+(?:more\s+)?(?:year|month|week|day|quarter)s?\W*$|"
    r"^(?:\d+|a|the)\s+(?:users?|seats?|people|licen[cs]es?)\W*$|^(?:the|their|its|a) (?:first|whole|entire)\b|"
    r"^(?:it|them|the (?:pair|set|lot|whole thing|bundle))\W*$",
    re.IGNORECASE)
_MONTH_WORDS = {"the": 1, "a": 1, "an": 1, "one": 1, "first": 1, "the first": 1, "1st": 1, "another": 1, "an extra": 1,
                "extra": 1}
# The amount of `cut …` and `price …`, written as the command's own form: a figure, or a currency code and one.
_STRICT_AMOUNT = re.compile(rf"(?:(?:{'|'.join(sorted(CODES))})\s?)?[-−$€£¥\d.]", re.IGNORECASE)
_SHORT = 3  # words: a figure in a message this short needs no cue ("$95k", "1600?", "ok 92,500 then")
_NEAR_NET = 0.5  # a bare amount at or above half the net price is read as a price
_SMALL = 0.25  # a bare amount at or below a quarter of list is read as a cut


@dataclass(frozen=True)
class DealTerms:
    """What a figure without a cue is read against: the deal's list and net price, its currency and term."""

    list_cents: int
    net_cents: int
    currency: str = "USD"
    term_months: int = 12


def terms_of(deal: Deal, ledger: Ledger | None = None) -> DealTerms:
    """The figures of a deal that a bare amount is read against."""
    ledger = ledger or Ledger.of(deal)
    return DealTerms(deal.list_cents, ledger.net_cents, deal.currency, deal.term_months)


@dataclass(frozen=True)
class Reading:
    """A move as read: the concession it is (or would be), the get named with it, and how sure the reading
    is; when it is not sure, `other` is the other way to read the same figure (a price or a cut)."""

    spec: ConcessionSpec
    get: str = ""
    sure: bool = True
    other: ConcessionSpec | None = None


def read_concession(text: str, terms: DealTerms | None = None) -> Reading:
    """What `/deal concede` was given: the strict forms, else the words reps use; InputError if nothing reads."""
    text = text.strip()
    if not text:
        raise InputError("Say what you conceded.")
    strict_error: InputError | None = None
    for left, get in _get_splits(text):
        try:
            reading = _read_whole(left, terms)
        except InputError as exc:  # a strict form that does not read; a shorter give may still read
            strict_error = strict_error or exc
            continue
        if reading is not None:
            return replace(reading, get=get)
    if strict_error is not None:
        raise strict_error
    shown = text if len(text) <= 40 else text[:39] + "…"
    raise InputError(f"I could not find a concession in `{shown}`: name a discount, an amount off, a new price, "
                     "something free or terms.")


def has_substance(get: str) -> bool:
    """"nothing", "none", "free", "no": no get at all."""
    return not NOTHING.match(get.strip())


def read_ask(text: str, terms: DealTerms | None = None) -> ConcessionSpec:
    """What a customer's ask would be if given: what the words name, else terms of unknown worth. The customer's
    words are never refused for their form: "price 41k to match the other quote" is read as chat is."""
    try:
        reading = _read_whole(text, terms)
    except InputError:
        reading = read_move(text, terms)
    return reading.spec if reading is not None else ConcessionSpec(ConcessionType.TERMS, text=text.strip()[:200])


def read_move(text: str, terms: DealTerms | None = None) -> Reading | None:
    """The first move a chat message names, or None; the message may say much else besides."""
    plain = normalise(text)
    for find in (_uplift, _percent, _money, _months_free, _free, _terms):
        reading = find(plain, terms)
        if reading is not None:
            return reading
    return None


def _read_whole(text: str, terms: DealTerms | None) -> Reading | None:
    try:
        return Reading(parse_concession(text))
    except InputError as strict_error:
        if _strict_form(text):
            raise strict_error  # `price abc`, `cut` alone: the strict form's own error says what is wrong
    return read_move(text, terms)


def _strict_form(text: str) -> bool:
    """`price …`, `cut …`, `free …` and `terms …` are the command's own forms, and their errors stand."""
    if looks_like_percent(text) and " " not in text:
        return True  # `120%`: the percentage's own error says what is wrong
    words = text.split(maxsplit=1)
    first, rest = (words[0].lower(), words[1] if len(words) > 1 else "") if words else ("", "")
    if first in ("price", "cut"):
        return not rest or " " not in rest.strip() or bool(_STRICT_AMOUNT.match(rest))
    return first in ("free", "terms") and " worth " in f" {text.lower()} "


def _get_splits(text: str) -> list[tuple[str, str]]:
    """(what was given, what was got) for each place a get could start, last first, then the whole text."""
    splits = []
    for match in reversed(list(GET.finditer(text))):
        left, right = text[: match.start()].strip(), text[match.end():].strip()
        connector = match.group(0).strip().lower()
        if left and NOTHING.match(right):
            splits.append((left, ""))  # "5% for nothing": no get, and "nothing" is not part of the item
            continue
        if not left or not right or EXTENT.match(right):
            continue
        get = f"{connector} {right}" if connector.startswith(("if", "once", "as long", "so long", "provided",
                                                             "assuming", "on condition")) else right
        splits.append((left, get))
    splits.append((text, ""))
    return splits


def _uplift(text: str, terms: DealTerms | None) -> Reading | None:
    """A percentage on a renewal uplift or escalator is a contract term, not a discount."""
    match = UPLIFT.search(text)
    return Reading(ConcessionSpec(ConcessionType.TERMS, text=match.group(0).strip())) if match else None


def _percent(text: str, terms: DealTerms | None) -> Reading | None:
    for mention in mentions(text):
        if mention.kind != PERCENT:
            continue
        context = text[max(0, mention.start - 40): mention.end + 30]
        if NOT_AN_OFFER_PERCENT.search(context):
            continue
        # "10-15%" is judged at its top: the lower figure is no percentage of its own.
        return Reading(ConcessionSpec(ConcessionType.PERCENT, percent_bp=mention.basis_points))
    return None


def _money(text: str, terms: DealTerms | None) -> Reading | None:
    figures = [m for m in mentions(text) if m.kind == MONEY]
    short = len(re.findall(r"[a-z']+", _without_figures(text, figures), re.IGNORECASE)) <= _SHORT
    for mention in figures:
        before, after = text[: mention.start], text[mention.end:]
        if _WORTH_BEFORE.search(before):
            continue  # "free onboarding worth 5k": the worth belongs to the item
        if NOT_AN_OFFER_BEFORE.search(before):
            continue
        if CUT_AFTER.match(after) or CUT_BEFORE.search(before):
            reading = _as_cut(mention, terms)
        elif PRICE_BEFORE.search(before) or PRICE_AFTER.match(after):
            reading = _as_price(mention, terms)
        elif short or (mention.marked and terms is not None):
            reading = _bare(mention, terms, short=short)
        else:
            reading = None
        if reading is not None:
            return reading
    return None


def _without_figures(text: str, figures: list[Mention]) -> str:
    for mention in reversed(figures):
        text = text[: mention.start] + " " + text[mention.end:]
    return text


def _amount(mention: Mention, cents: int | None = None) -> Amount:
    return Amount(cents=cents if cents is not None else mention.cents, currency=mention.currency)


def _as_cut(mention: Mention, terms: DealTerms | None) -> Reading | None:
    spec = ConcessionSpec(ConcessionType.CUT, amount=_amount(mention))
    if terms is None:
        return Reading(spec)
    tiny = not mention.word and mention.cents * 500 < terms.net_cents  # under 0.2% of the price
    if tiny and mention.cents * 1000 < terms.net_cents:  # "5 off" on a $100k deal: 5k, the rep confirms
        return Reading(replace(spec, amount=_amount(mention, mention.cents * 1000)), sure=False)
    return Reading(spec) if mention.cents < terms.net_cents else None


def _as_price(mention: Mention, terms: DealTerms | None) -> Reading | None:
    cents = mention.cents
    spec = ConcessionSpec(ConcessionType.PRICE, amount=_amount(mention))
    if terms is None:
        return Reading(spec) if cents >= 100_000 or mention.marked else None  # "at 3", "for 2" are no prices
    if _plausible_price(cents, terms):
        return Reading(spec)
    if not mention.word and _plausible_price(cents * 1000, terms):  # "they'll sign at 90" on a $100k deal
        return Reading(replace(spec, amount=_amount(mention, cents * 1000)), sure=False)
    return None


def _plausible_price(cents: int, terms: DealTerms) -> bool:
    return terms.net_cents * 0.2 <= cents < terms.net_cents


def _bare(mention: Mention, terms: DealTerms | None, *, short: bool) -> Reading | None:
    """A figure with no cue: the deal says whether it is a price or a cut; in between, the rep chooses."""
    if terms is None:
        return Reading(ConcessionSpec(ConcessionType.PRICE, amount=_amount(mention)), sure=False) \
            if mention.marked and mention.cents >= 100_000 else None
    price = _as_price(mention, terms)
    cents = price.spec.amount.cents if price is not None and price.spec.amount else mention.cents
    as_price = ConcessionSpec(ConcessionType.PRICE, amount=_amount(mention, cents))
    as_cut = ConcessionSpec(ConcessionType.CUT, amount=_amount(mention, cents))
    if price is not None and cents >= terms.net_cents * _NEAR_NET:
        return Reading(as_price, sure=price.sure, other=as_cut)
    if cents <= terms.list_cents * _SMALL and short:
        return _as_cut(mention, terms)  # "3" on a $120k deal: 3k, to be confirmed
    if cents < terms.net_cents and short:
        return Reading(as_price, sure=False, other=as_cut)
    return None


def _months_free(text: str, terms: DealTerms | None) -> Reading | None:
    match = MONTHS_FREE.search(text)
    if not match:
        return None
    raw = (match.group("n") or match.group("n2") or match.group("n3") or "1").lower()
    months = int(raw) if raw.isdigit() else _MONTH_WORDS.get(raw, 1)
    if not 0 < months <= 120:
        return None
    label = f"{months} month{'s' if months != 1 else ''}"
    worth = WORTH.search(text[match.end(): match.end() + 30])
    return Reading(ConcessionSpec(ConcessionType.FREE, text=label, months=months, worth=_worth(worth)))


def _free(text: str, terms: DealTerms | None) -> Reading | None:
    match = FREE.search(text)
    if not match:
        return None
    named = match.group(1) or match.group(2) or match.group(3) or ""
    item = re.split(r"\b(?:if|for|and|but|so|to|as|when|because|worth|in exchange|provided)\b|[.,;!?]",
                    named)[0].strip()
    item = re.sub(r"^(?:add|adding|include|including|throw in|throwing in)\s+(?:the\s+)?", "", item,
                  flags=re.IGNORECASE)
    if not item:  # "2 extra seats free for the first year": the item is before the word
        before = re.search(r"([\w-]+(?:\s[\w-]+){0,3})\s+free\b", text[: match.end()], re.IGNORECASE)
        item = before.group(1).strip() if before else ""
    if not item:
        return None  # "free" alone names nothing given
    worth = WORTH.search(text[match.start(): match.end() + 30])
    return Reading(ConcessionSpec(ConcessionType.FREE, text=item, worth=_worth(worth)))


def _worth(match: re.Match[str] | None) -> Amount | None:
    if match is None:
        return None
    figures = [m for m in mentions(match.group(0)) if m.kind == MONEY]
    return _amount(figures[0]) if figures else None


def _terms(text: str, terms: DealTerms | None) -> Reading | None:
    match = TERMS.search(text)
    return Reading(ConcessionSpec(ConcessionType.TERMS, text=match.group(0).strip())) if match else None
