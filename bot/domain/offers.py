"""Finds an ask or a concession in a chat message, offline: what the deal thread proposes for the ledger.

Nothing found here is recorded: the rep confirms with a button. What is offered is read by `reader` (the same
reader as `/deal concede` and `/deal ask`, against the deal's prices); whose move it is is read here. A message
in the words of one side of a haggle says so ("would you take $90?", "I go to 130 if you ship it" are the
buyer's; "I could go as low as 1600", "I'll throw in delivery" the seller's); otherwise `offer_kind` reads it
clause by clause: a concession when the rep gave, offers or has decided to give it, in any tense, else the
customer's ask. A message naming both is the rep's concession, read from the rep's clause; an unethical
demand is always an ask."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime

from bot.domain.deals import ConcessionSpec, concession_entry
from bot.domain.errors import InputError
from bot.domain.ethics import ethics_markers
from bot.domain.model import ConcessionType, Deal, Policy
from bot.domain.offer_kind import ASK, CONCESSION, clause_kind, clauses, proposes
from bot.domain.reader import DealTerms, Reading, read_move
from bot.domain.rules import Judgement, beyond_giving, judge_ask

_YOU = r"(?:you|u|ya)"
# The buyer's side speaking: asking the seller to take, do or include something, or saying what they'd pay.
BUYER_WORDS = re.compile(
    rf"\b(?:would|wou?d|wud|will|could|can|do|did)\s+{_YOU}\s+(?:be\s+willing\s+to\s+|consider\s+|possibly\s+|"
    r"maybe\s+|be\s+able\s+to\s+)?(?:take|accept|do|part|sell|let|come|go|drop|throw|include|ship|deliver|knock|"
    rf"meet|budge|consider)|\bwilling to part\b|\blowest {_YOU}(?:'d| would| will| can)|"
    rf"\bi(?:'ll| will| can| could| would|'d)?\s+(?:pay|offer {_YOU}|give {_YOU}(?![^.,;]*(?:%|\boff\b|free|disc))|"
    rf"go up to|come up to|meet {_YOU})\b|\bi\s+(?:can\s+|could\s+)?go\s+(?:up\s+)?to\b|"
    rf"\bif {_YOU} (?:can |could |are able to |would |will )?(?:ship|deliver|drop|include|throw|bring|hold|knock|"
    r"do|meet|come down|cover|add)|"
    r"(?<!you )(?<!\bu )\b(?:can|could|will|'ll) (?:pick (?:it |them )?up|come (?:get|grab|pick))|"
    rf"\b{_YOU}(?:'ve)? got a deal\b|\bmy (?:budget|max|offer)\b|\bcash in hand\b|\bbest {_YOU} can do\b|"
    r"\bi'?ll take (?:it|them|both|the|all)\b|\d\s?cash\b|\b(?:under|below|off) (?:the )?asking\b|"
    rf"\bi'?d give \$?\d|\bif it comes with\b|\bcan {_YOU} make (?:that|it|this) work\b|"
    rf"\b(?:would|will|could) {_YOU} go\b|\b(?:not|nothing|no) (?:higher|more)\b|\bgo (?:any )?higher\b",
    re.IGNORECASE)
# The seller's side speaking: how low they go, what they throw in or deliver, the buyer's pick-up.
SELLER_WORDS = re.compile(
    r"\b(?:as low as|let (?:\w+ ){0,2}go\b|part with (?:it|them)|sell (?:\w+ ){0,2}for|"
    r"i(?:'ll| will| can| could|'d)?\s+(?:even\s+|also\s+)?(?:drop (?:it|them) (?:off|at|by)|deliver|throw in|include|"
    rf"help {_YOU} load|cover|ship (?:it|them))|i(?:'ll| will| can|'d)? take (?=\$?\d)|"
    r"lowest i(?:'d|'ll| will| would| can| could)|i'?d go\b(?! up)|"
    r"the lowest (?:i|we)|(?:go|going) (?:any )?lower|bottom line|rock bottom|it'?s yours|its yours|firm\b|obo\b|"
    rf"if {_YOU} (?:can |could |are able to )?(?:pick|come (?:get|grab|pick)|grab|take (?:it|them)|get (?:it|them)|"
    rf"buy|sign|commit|pay|take (?:both|them all|it all)|want (?:it|them))|{_YOU} pick (?:it |them )?up|"
    rf"\byours for\b|^\W*take (?:it|them) for\b|i'?ll hold (?:it|them) for {_YOU}|"
    r"come (?:get|grab|pick up) (?:it|them)|"
    rf"let {_YOU} have (?:it|them)|(?:go|drop|come) below|i'?d consider)", re.IGNORECASE)
# A rep's shorthand on a condition the customer meets ("3 months free if they sign this week") is the rep's offer.
_THEIR_CONDITION = re.compile(r"\b(?:if|as long as|provided|once) (?:they|the customer|the client)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Offer:
    kind: str  # "ask" or "concession"
    spec: ConcessionSpec
    ethics: tuple[str, ...] = ()


def find_offer(text: str, terms: DealTerms | None = None) -> Offer | None:
    """The first offer a message names, read as the concession it is or would be; None if it names none.
    `terms`: the deal's prices, which decide what a figure without a cue means. A message that names both
    the customer's ask and the rep's answer is the concession, read from the rep's clause ("they asked for
    20%, I offered 10%" is a concession of 10%): what would go in the ledger."""
    markers = ethics_markers(text)
    reading = read_move(text, terms)
    if reading is None and not markers:
        return None
    if reading is None:
        reading = Reading(ConcessionSpec(ConcessionType.TERMS, text=text.strip()[:200]))
    if markers:
        return Offer(ASK, reading.spec, markers)
    side = None if proposes(text) else _side(text)
    if side is not None:
        return Offer(side, reading.spec)
    given, asked = _moves(text, terms)
    if not given:
        undecided = not asked and _THEIR_CONDITION.search(text)
        return Offer(CONCESSION if undecided else ASK, reading.spec)
    named = next((move for move in given if move is not None), reading)
    return Offer(CONCESSION, named.spec)


def asked_in(question: str, customer_words: str = "", terms: DealTerms | None = None) -> Offer | None:
    """What a coach request asks to be given: the offer in the customer's own words (whoever's side its grammar
    reads, the customer is asking), else in the rep's question the customer's ask or a give the rep puts to the
    coach ("can I give them 15%?"); never a give already made ("just gave them 12k off")."""
    offer = find_offer(customer_words, terms) if customer_words.strip() else None
    if offer is not None and _for_the_deal(offer, terms):
        return Offer(ASK, offer.spec, offer.ethics)
    offer = find_offer(question, terms) if question.strip() else None
    if offer is None or (offer.kind == CONCESSION and not proposes(question)) or not _for_the_deal(offer, terms):
        return None
    return offer


def _for_the_deal(offer: Offer, terms: DealTerms | None) -> bool:
    """A price under a fifth of list is not a price for the whole deal ("500 seats at $28", "5 reports"): chat
    about the deal names such figures, and judging them as its price would call for walking away from nothing."""
    amount = offer.spec.amount
    if offer.ethics or terms is None or offer.spec.type is not ConcessionType.PRICE or amount is None:
        return True
    return amount.cents * 5 >= terms.list_cents


def judge_offer(deal: Deal, policy: Policy, offer: Offer, *, by: str, at: datetime) -> Judgement | None:
    """The verdict if the offer were given; None when it cannot apply (another currency, a price not below net):
    nothing sensible to judge, unless it is an unethical demand, which is always judged (its figure may be what
    someone would pocket, "a €5k kickback", not a price the deal could reach)."""
    try:
        given = concession_entry(deal, offer.spec, by=by, at=at)
    except InputError:
        return beyond_giving(offer.ethics) if offer.ethics else None
    return judge_ask(deal, policy, dataclasses.replace(given, ethics_markers=offer.ethics))


def _side(text: str) -> str | None:
    """ASK or CONCESSION when the message is in the words of one side of a haggle, else None."""
    buyer, seller = BUYER_WORDS.search(text), SELLER_WORDS.search(text)
    if buyer and not seller:
        return ASK
    if seller and not buyer:
        return CONCESSION
    return None


def _moves(text: str, terms: DealTerms | None) -> tuple[list[Reading | None], bool]:
    """One item per clause in which the rep moves (the offer that clause names, or None if it names none), and
    whether any clause is the customer's ask."""
    moves, asked = [], False
    for clause in clauses(text):
        named = read_move(clause, terms)
        kind = clause_kind(clause, names_offer=named is not None)
        if kind == CONCESSION:
            moves.append(named)
        asked = asked or kind == ASK
    return moves, asked
