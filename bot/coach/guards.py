"""The LLM coach's guards: why its lines may not reach the rep, in plain words the LLM is told on its one retry."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.coach.types import CoachRequest, Line
from bot.domain.ledger import Give
from bot.domain.mentions import MONEY, PERCENT, Mention, mentions, normalise
from bot.domain.model import ConcessionType

# Two lines are one line reworded when difflib's ratio of their normalised texts (or of their sentences, sorted)
# reaches this. Measured on the coach's lines and the model's (tests/unit/test_llm_guards.py): a reworded line
# scores 0.81 to 0.96 ("I can look at that if we agree on a two-year term" / "If you can help me sharpen the
# pencil, I'll look at that if we can agree on a two-year term"), two different lines on one theme 0.25 to 0.55.
ALIKE = 0.8
MAX_CHARS = 200  # one or two short sentences; longer is a speech, or a line the schema's bound cut off
# A plain number counts as money from this size up: "5" in a line is a count, "80,000" is a price.
MIN_PLAIN_CENTS = 1_000_00

_VERDICT_CAPITALS = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")
_FLOOR_WORDS = re.compile(r"\b(floor|walk[- ]?away (price|point|number)|headroom)\b", re.IGNORECASE)
# The customer hears these words: a line about "the customer" or "the rep" is advice, not something to say.
_THIRD_PERSON = re.compile(r"\bthe (customer|client|buyer|sales rep|rep)('s|s)?\b", re.IGNORECASE)
# Words that tell the customer a limit exists: a customer who learns there is one pushes to it.
_LIMIT_WORDS = re.compile(
    r"\b(caps?|capped|ceiling|max(imum)? discount|discount limit|approval limit|pricing limit|(our|my) limits?|"
    r"the most (I|we) can|as (low|far) as (I|we) can go|the lowest (I|we) can go|authori[sz]ed to|"
    r"allowed to (go|offer|discount))\b",
    re.IGNORECASE,
)
# A given concession named as done ("we already gave you net 90") is a reminder, not an offer.
_ALREADY = re.compile(
    r"\b(already|(we|I)('ve| have)? (given|gave|included|agreed to|conceded|moved)|on top of|in addition to|"
    r"in place|since we)\b",
    re.IGNORECASE,
)
_FREE_MONTHS = re.compile(r"\bfree\b[\w ]{0,12}\bmonths?\b|\bmonths?\b[\w ]{0,6}\bfree\b", re.IGNORECASE)

UNKNOWN_PRINCIPLE = "cites a principle that does not exist"
VERDICT_WORD = "writes a verdict word in capitals"
MENTIONS_FLOOR = "mentions the rep's floor or walk-away price"
TOO_LONG = f"is longer than {MAX_CHARS} characters (write one or two short sentences)"
NOT_TO_THE_CUSTOMER = "talks about the customer or the rep instead of speaking to the customer as \"you\""
STATES_A_LIMIT = "states an internal limit (a cap, a maximum discount or the most the rep can give)"
NAMES_A_PRIVATE_PRICE = "names a price the customer must not hear (name no amounts of money)"
DISCOUNT_ABOVE_CAP = "offers a bigger discount than the rep may give"
OFFERS_A_GIVE_AGAIN = "offers again something the rep has already given (say it was already given, or offer another)"
REPEATS_THE_ANSWER = "repeats another line of this answer"
REPEATS_WHAT_WAS_SHOWN = "repeats a line the rep was already shown"


@dataclass(frozen=True)
class _Given:
    """What a line would name to offer a given concession again: its figures, or its words."""

    percents_bp: frozenset[int]
    cents: frozenset[int]
    words: str  # normalised ("net 90", "onboarding"); "" when the figures say it all
    months: bool  # free months


@dataclass(frozen=True)
class _Facts:
    """What the guards compare each line with, worked out once per answer."""

    principle_ids: frozenset[str]
    floor_cents: int
    cap_bp: int
    limits_bp: frozenset[int]  # the deal's cap and the policy's
    private_cents: tuple[int, ...]  # the target and the price at the cap
    given: tuple[_Given, ...]

    @classmethod
    def of(cls, request: CoachRequest, principle_ids: set[str]) -> _Facts:
        deal = request.deal
        cap_bp = deal.effective_cap_bp(request.policy)
        at_cap = deal.list_cents - deal.list_cents * cap_bp // 10_000
        private = tuple(c for c in (deal.target_cents, at_cap) if c)
        return cls(frozenset(principle_ids), deal.floor_cents, cap_bp, frozenset({cap_bp, request.policy.cap_bp}),
                   private, tuple(_given(give) for give in request.ledger.gives))


def guard(lines: tuple[Line, ...], request: CoachRequest, principle_ids: set[str]) -> str | None:
    """Why these lines may not reach the rep ("line 2 states an internal limit …"), or None."""
    facts = _Facts.of(request, principle_ids)
    for number, line in enumerate(lines, start=1):
        reason = next((why for check in LINE_CHECKS if (why := check(line, facts))), None)
        if reason is None and any(alike(line.text, earlier.text) for earlier in lines[: number - 1]):
            reason = REPEATS_THE_ANSWER
        if reason is None and any(alike(line.text, shown) for shown in request.shown):
            reason = REPEATS_WHAT_WAS_SHOWN
        if reason is not None:
            return f"line {number} {reason}"
    return None


def alike(one: str, other: str) -> bool:
    """The same line, give or take case, punctuation, a few words, or the order of its sentences; or one saying a
    whole sentence of the other again."""
    said, again = set(_each_sentence(one)), set(_each_sentence(other))
    if said & again:
        return True
    for a, b in ((_plain(one), _plain(other)), (_sentences(one), _sentences(other))):
        if a == b or _ratio_at_least(a, b, ALIKE):
            return True
    return False


def _ratio_at_least(a: str, b: str, least: float) -> bool:
    """difflib's similarity ratio of `a` and `b` is at least `least`, found cheaply when it is not: its quick
    upper bounds rule most pairs out, and the full ratio (a quarter of a millisecond a pair) is computed only for
    the rest. A burst of fifty LLM answers, each checked against the lines a deal showed, took the cores from the
    acknowledgements answered beside them."""
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= least and matcher.quick_ratio() >= least and matcher.ratio() >= least


def _each_sentence(text: str) -> list[str]:
    """The sentences of a line, plain; short ones ("Thanks.") are left out: they may well be said twice."""
    sentences = (_plain(part) for part in re.split(r"(?<=[.!?])\s+", text))
    return [sentence for sentence in sentences if len(sentence.split()) >= 4]


def unknown_principle(line: Line, facts: _Facts) -> str | None:
    return UNKNOWN_PRINCIPLE if line.principle_id not in facts.principle_ids else None


def verdict_word(line: Line, facts: _Facts) -> str | None:
    return VERDICT_WORD if _VERDICT_CAPITALS.search(line.text) else None


def mentions_floor(line: Line, facts: _Facts) -> str | None:
    return MENTIONS_FLOOR if _FLOOR_WORDS.search(line.text) else None


def too_long(line: Line, facts: _Facts) -> str | None:
    return TOO_LONG if len(line.text) > MAX_CHARS else None


def not_to_the_customer(line: Line, facts: _Facts) -> str | None:
    return NOT_TO_THE_CUSTOMER if _THIRD_PERSON.search(line.text) else None


def states_a_limit(line: Line, facts: _Facts) -> str | None:
    """"cap", "the most I can", or the cap's own figure, even in a refusal ("not above 20%")."""
    if _LIMIT_WORDS.search(line.text) or any(m.basis_points in facts.limits_bp for m in _percents(line.text)):
        return STATES_A_LIMIT
    return None


def names_a_private_price(line: Line, facts: _Facts) -> str | None:
    """Any amount at or below the floor (the floor itself included), the target, or the price at the cap."""
    for mention in _money(line.text):
        if mention.cents <= facts.floor_cents or any(_near(mention.cents, c) for c in facts.private_cents):
            return NAMES_A_PRIVATE_PRICE
    return None


def discount_above_cap(line: Line, facts: _Facts) -> str | None:
    return DISCOUNT_ABOVE_CAP if any(m.basis_points > facts.cap_bp for m in _percents(line.text)) else None


def offers_a_give_again(line: Line, facts: _Facts) -> str | None:
    """A line naming a given concession's figure or terms, unless it says it was given already."""
    if _ALREADY.search(line.text):
        return None
    percents = {m.basis_points for m in _percents(line.text)}
    cents = {m.cents for m in _money(line.text)}
    plain = f" {_plain(normalise(line.text))} "
    for given in facts.given:
        if (percents & given.percents_bp or cents & given.cents or (given.months and _FREE_MONTHS.search(plain))
                or (given.words and f" {given.words} " in plain)):
            return OFFERS_A_GIVE_AGAIN
    return None


LINE_CHECKS: tuple[Callable[[Line, _Facts], str | None], ...] = (
    unknown_principle, verdict_word, too_long, not_to_the_customer, mentions_floor, states_a_limit,
    names_a_private_price, discount_above_cap, offers_a_give_again,
)


def _given(give: Give) -> _Given:
    entry = give.concession
    found = mentions(normalise(entry.text))
    words = ""
    if entry.concession_type is ConcessionType.TERMS:
        words = _plain(entry.text.removeprefix("terms:"))
    elif entry.concession_type is ConcessionType.FREE:
        words = _plain(entry.text.removeprefix("free "))
    months = entry.concession_type is ConcessionType.FREE and "month" in entry.text
    return _Given(
        percents_bp=frozenset(m.basis_points for m in found if m.kind == PERCENT),
        cents=frozenset(m.cents for m in found if m.kind == MONEY),
        words="" if months else words,
        months=months,
    )


def _percents(text: str) -> list[Mention]:
    return [m for m in mentions(normalise(text)) if m.kind == PERCENT]


def _money(text: str) -> list[Mention]:
    return [m for m in mentions(normalise(text)) if m.kind == MONEY and (m.marked or m.cents >= MIN_PLAIN_CENTS)]


def _near(cents: int, price: int) -> bool:
    """Equal as a person would say it: "$80k" for $80,250 (within 1%)."""
    return abs(cents - price) <= price // 100


def _sentences(text: str) -> str:
    return " ".join(sorted(_plain(sentence) for sentence in re.split(r"[.?!]+\s*", text) if sentence.strip()))


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text.lower()).split())
