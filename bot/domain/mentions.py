"""Finds the money and percentages a piece of text names, as people write them: `$5,000`, `5k`, `5 grand`,
`ten thousand`, `92.5k`, `€95k`, `12 percent`, `twelve percent`; and tells a figure that is no money at all
(a date, a time, a year, a quantity, a size, a model number) from one that may be.

Number words are turned into digits by text2num (`alpha2digit`), a maintained library that reads "ninety two
thousand five hundred" and leaves "one of them" alone; what remains is one pattern for a figure and its
currency, multiplier or percent sign. Whether a figure is an offer, and of what, is `reader`'s business."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from text_to_num import alpha2digit

from bot.domain.money import BASIS_POINTS, CODES, MAX_AMOUNT_CENTS, SYMBOLS

MONEY, PERCENT = "money", "percent"

_MULTIPLIERS = {"k": 1_000, "grand": 1_000, "thousand": 1_000, "m": 1_000_000, "mm": 1_000_000,
                "mil": 1_000_000, "million": 1_000_000}
_CODES = "|".join(sorted((code.lower() for code in CODES), key=len, reverse=True))
_FIGURE = re.compile(
    rf"(?<![\w.,/:#])(?P<prefix>[$€£¥]|\b(?:{_CODES})\s?)?\s?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<mult>k|mm|m|mil|million|grand|thousand)\b)?"
    rf"(?:\s?(?P<percent>%|p[er]{{0,3}}c[ent]{{0,4}}t\w*|per\s?cent\b|(?:points?|pts)\b(?=\s+off))|\s?(?P<suffix>{_CODES}|bucks|dollars?|euros?|usd)\b)?"
    r"(?![\w:]|/(?!\s?(?:mo|month|yr|year|user|seat)\b)|\.\d|,\d{3}|-\d)",
    re.IGNORECASE,
)
# What a plain number counts when it is not money: units, sizes, times. Read right after the figure.
_UNIT_AFTER = re.compile(
    r"^\s?(?:-\s?)?(?:users?|seats?|licen[cs]es?|people|persons?|employees|staff|reps|agents|accounts|sites|"
    r"locations|offices|customers|months?|mos?|years?|yrs?|yr|days?|weeks?|wks?|hours?|hrs?|h|mins?|minutes?|"
    r"seconds?|am|pm|a\.m\.|p\.m\.|o'?clock|miles?|mi|km|kms|mph|inch(?:es)?|in(?=\s*(?:$|[,.;!?)]|(?:tv|monitor|screen|display|laptop|wheels?|rims?)\b))|\"|”|cm|mm|ft|feet|foot|sq|"
    r"sqft|meters?|m2|gb|tb|mb|ghz|mhz|hz|mp|megapixels?|watts?|volts?|lbs?|pounds?|kg|kgs|oz|gallons?|l\b|"
    r"liters?|bed(?:room)?s?|br|bd|bath(?:room)?s?|ba|cars?|units?|pcs|pieces?|items?|copies|tickets?|calls?|"
    r"times|x\b|th\b|st\b|nd\b|rd\b|series|gen|speed|cyl(?:inder)?s?|owners?|stars?|points?|pts|page|pages|"
    r"slides?|laptops?|devices?|servers?|nodes?|cores?|workspaces?|teams?|departments?|modules?|integrations?|"
    r"apis?|features?|tiers?|plans?|steps?|rounds?|weeks?|quarters?|qtrs?|yo\b|year[-\s]old|k miles|k mi|k km|"
    r"free|nps|\w+ (?:st|street|ave|avenue|rd|road|blvd|boulevard|drive|lane|ln|court|ct|way|pl|place))\b",
    re.IGNORECASE,
)
# What a plain number is when these come right before it: a model, a place, a date, an address, a count.
_NAME_BEFORE = re.compile(
    r"(?:iphone|ipad|pixel|galaxy|note|model|series|rtx|gtx|rx|ps|xbox|macbook|version|v|gen|room|suite|"
    r"apt|unit|no\.?|number|#|ext|zip|route|rt|highway|hwy|exit|gate|rows?|sections?|sec|seats?|level|floor|size|"
    r"net|nps|score|rank|ranked|top|tier|day|week|month|year|step|stage|phase|wave|round|"
    r"since|until|till|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|q[1-4]|fy|"
    r"mileage|odometer)\s?$",
    re.IGNORECASE,
)
_SMALL_NUMBERS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_SMALL_BEFORE_UNIT = re.compile(
    rf"\b({'|'.join(_SMALL_NUMBERS)})(?=\s+(?:grand|k|percent|per cent|pct|%|"
    r"(?:free |more |extra |additional |bonus )?months?)\b)", re.IGNORECASE)
_HUNDREDS = re.compile(r"\b(\d{1,2})\s+hundred\b", re.IGNORECASE)
_A_GRAND = re.compile(r"\b((?:a|an|another|one|an extra)\s+)grand\b", re.IGNORECASE)
_YEAR = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)$")
_DATE_OR_PHONE = re.compile(r"\d\s?[/:]\s?\d|\d{3}[-.\s]\d{3,4}|\d{1,2}(?:st|nd|rd|th)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """One figure in the text: money in cents (maybe in a named currency) or a percentage in basis points.
    `marked`: written as money (a currency, or k/m/grand), not a plain number whose meaning the deal decides."""

    kind: str
    start: int
    end: int
    cents: int = 0
    basis_points: int = 0
    currency: str | None = None
    marked: bool = False
    word: str = ""  # the multiplier as written ("k", "grand"), if any


def normalise(text: str) -> str:
    """Slack's escapes undone, curly quotes straightened, number words as digits ("ten grand" -> "10 grand")."""
    plain = html.unescape(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-")
    # text2num leaves a lone small number word alone ("one of them"); before a unit it is a figure.
    plain = _SMALL_BEFORE_UNIT.sub(lambda m: str(_SMALL_NUMBERS[m.group(1).lower()]), plain)
    plain = _HUNDREDS.sub(lambda m: str(int(m.group(1)) * 100), plain)  # "17 hundred"
    plain = _A_GRAND.sub(lambda m: m.group(1) + "1 grand", plain)  # "another grand off"
    try:
        digits: str = alpha2digit(plain, "en")  # text2num has no type hints
        return digits
    except Exception:  # pragma: no cover - a reader of chat must never fail on odd input
        return plain


def mentions(text: str) -> list[Mention]:
    """Every figure in normalised text that may be money or a percentage, in order; counts, sizes, dates,
    times, years and model numbers are left out."""
    found = []
    for match in _FIGURE.finditer(text):
        mention = _mention(text, match)
        if mention is not None:
            found.append(mention)
    return found


def _mention(text: str, match: re.Match[str]) -> Mention | None:
    number = match.group("number").replace(",", "")
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    start, end = match.start("number"), match.end()
    if match.group("prefix"):
        start = match.start("prefix")
    if match.group("percent"):
        basis_points = value * 100
        if basis_points <= 0 or basis_points > BASIS_POINTS or basis_points != basis_points.to_integral_value():
            return None
        return Mention(PERCENT, start, end, basis_points=int(basis_points))
    currency = _currency(match.group("prefix"), match.group("suffix"))
    word = (match.group("mult") or "").lower()
    marked = bool(match.group("prefix") or match.group("suffix") or word)
    if not marked and not _plain_number_may_be_money(text, match, number):
        return None
    if word and currency is None and _UNIT_AFTER.match(text[match.end():]):
        return None  # "45k miles", "10k users"
    if word == "m" and not match.group("prefix") and not match.group("suffix") and "." not in number and value < 10:
        return None  # "3m" alone is as often three months or metres as three million
    cents = int(value * _MULTIPLIERS.get(word, 1) * 100)
    if cents <= 0 or cents > MAX_AMOUNT_CENTS:
        return None
    return Mention(MONEY, start, end, cents=cents, currency=currency, marked=marked, word=word)


def _plain_number_may_be_money(text: str, match: re.Match[str], number: str) -> bool:
    before, after = text[: match.start()], text[match.end():]
    if _UNIT_AFTER.match(after) or _NAME_BEFORE.search(before[-14:].lower().rstrip()):
        return False
    if _DATE_OR_PHONE.search(text[max(0, match.start() - 4): match.end() + 6]):
        return False
    return not _YEAR.match(number)


def _currency(prefix: str | None, suffix: str | None) -> str | None:
    for part in (prefix, suffix):
        if not part:
            continue
        part = part.strip().lower()
        if part in ("bucks", "dollar", "dollars"):
            continue  # a plain dollar word names no currency the deal could refuse
        if part in ("euro", "euros"):
            return "EUR"
        return SYMBOLS.get(part) or part.upper()
    return None
