"""What the coach reads before it speaks: what the customer is doing (the signals in the words), when in the
negotiation it is asked (the timing) and what the ledger holds (what was given and what was got)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.coach.types import CoachRequest
from bot.domain.ethics import ethics_markers
from bot.domain.model import ConcessionType, Entry, Stage
from bot.domain.money import format_money


class Signal(StrEnum):
    """A thing customers do in a negotiation that calls for its own answer. Listed most pressing first: when
    words carry several, the coach answers the first."""

    UNETHICAL = "unethical"
    POOR_FIT = "poor fit"  # what they need is not what we sell
    FINAL_OFFER = "final offer"
    COMPETITOR = "competitor"
    BUDGET = "budget"
    APPROVAL = "approval"  # "I need to check with my boss"
    DEADLINE = "deadline"
    PAYMENT_TERMS = "payment terms"
    FREE_ITEMS = "free items"
    SCOPE_CREEP = "scope creep"
    STALL = "stall"
    TIME_SINK = "time sink"  # the deal eats more hours than it is worth
    HOW_LOW = "how low"  # the rep asks how far they can go: the answer is a limit to stop well short of
    OFFERED_GET = "offered get"  # the customer offers something for it: a longer term, more seats, a quick signature
    PRICE_PUSH = "price push"  # a plain "can you do better on price?"


class Timing(StrEnum):
    """Where the negotiation stands when the coach is asked: the same words call for different lines before a
    move and after it."""

    OPENED = "opened"  # nothing has been given or asked yet
    ASKED = "asked"  # the customer asked for something not yet given
    GAVE = "gave"  # a concession was just logged
    GOT = "got"  # something was just received for a concession
    BETWEEN = "between"  # asked in the middle, no move just made
    WALKED = "walked"  # the deal is closed without a win: the customer may come back
    WON = "won"


# The words of each signal, as reps and customers write them (lower case; apostrophes optional).
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_BOSSES = r"(?:boss|manager|cfo|ceo|cto|coo|vp|director|head of \w+|finance|legal|procurement|board|team|partner)"
_CUES: dict[Signal, tuple[str, ...]] = {
    Signal.POOR_FIT: (
        r"(?:not|isn'?t|wasn'?t|aren'?t) (?:a |the )?(?:good |great |right |real )?fit", r"(?:poor|bad|wrong) fit",
        r"on[- ]?prem\w*", r"we don'?t (?:do|offer|support|sell|have) (?:that|it|this|on)",
        r"not (?:something|what) (?:we|our product) (?:do|does|offer|sell|support)",
        r"(?:need|want)s? (?:a |an )?(?:totally |completely )?different (?:product|tool|solution)",
    ),
    Signal.FINAL_OFFER: (
        r"final (?:offer|price|answer|number|word)", r"take it or leave it", r"last (?:offer|chance)",
        r"best and final", r"non[- ]?negotiable", r"deal ?breaker", r"ultimatum",
        r"(?:or|else) (?:we|they)(?:'?ll| will| are going to| gonna)? (?:walk|go elsewhere|go with|pull out)",
        r"(?:we|they)(?:'?ll| will) walk", r"(?:might|may|could|threaten\w*(?: to)?|about to) walk",
        r"that'?s (?:our|their|my) (?:limit|max|ceiling)",
        r"not a (?:penny|cent|dollar|euro|pound) (?:more|higher|over)",
        r"not (?:going|moving) (?:any )?(?:higher|further|up)",
        r"won'?t (?:go|pay) (?:a (?:cent|penny|dollar) )?(?:higher|more|above)",
    ),
    Signal.COMPETITOR: (
        r"competit\w*", r"(?:other|another|different|rival) (?:vendors?|suppliers?|providers?|tools?|platforms?|"
        r"options?|quotes?|bids?|offers?)", r"quote from",
        r"match\w* (?:the |their |that |a |this )?(?:price|quote|offer|bid)",
        r"beat (?:the |their |that )?(?:price|quote|offer|bid)", r"undercut",
        r"(?:is|are|'s|were|was|came in) (?:\d+ ?(?:%|pct|percent|k)? |way |much |a lot |a bit |significantly )?"
        r"cheaper",
        r"cheaper (?:quote|offer|option|alternative|elsewhere|vendor)", r"going with \w+ instead",
        r"(?:salesforce|hubspot|oracle|sap|microsoft|zendesk|gong|clari)\b.{0,40}\b(?:price|quote|cheaper|offer)",
    ),
    Signal.BUDGET: (
        r"budget\w*", r"can'?t afford", r"cannot afford", r"afford", r"only (?:have|got|approved) (?:\$|€|£)?\d",
        r"too (?:expensive|pricey|much|high|steep)", r"out of (?:our|their|the) (?:price )?range",
        r"money(?:'s| is) tight", r"no money", r"funding", r"cash[- ]?strapped", r"spend(?:ing)? freeze",
        r"(?:price|it)(?:'s| is) (?:too|way) (?:high|much)", r"cost[- ]cutting",
        r"justify the (?:cost|price|spend)",
    ),
    Signal.APPROVAL: (
        r"procurement", r"legal (?:team|review|needs|wants|has)",
        r"new (?:stakeholder|decision[- ]?maker|buyer|contact)",
        rf"check (?:with|w/) (?:my |our |their |the |his |her )?{_BOSSES}", r"run (?:it|this) (?:by|past)",
        r"committee", r"sign[- ]?off", r"approval (?:from|by|of)",
        rf"{_BOSSES} (?:needs?|has|wants?|must|will|have) (?:to )?(?:approve|sign|see|review|look|weigh)",
        r"needs? (?:to be )?approv\w*", r"not (?:the|my|his|her|their) (?:decision|call)", r"decision[- ]?maker",
        rf"take (?:it|this) to (?:my |our |their |the )?{_BOSSES}", rf"ask (?:my |our |their |the )?{_BOSSES}",
        rf"(?:my|our|their|his|her) {_BOSSES} (?:says?|said|thinks?|wants?)",
    ),
    Signal.DEADLINE: (
        rf"by {_DAYS}", rf"(?:before|until|till|on|this|next|close\w*) {_DAYS}",
        r"by (?:eod|eow|eom|eoq|eoy|end of)", r"end of (?:the )?(?:day|week|month|quarter|year)",
        r"\b(?:eod|eow|eom|eoq|eoy)\b", r"deadline", r"today only", r"sign (?:today|tomorrow|this week|now)",
        r"expires?", r"quarter[- ]end", r"year[- ]end", r"\bq[1-4] (?:close|end)", r"before (?:the )?holidays",
    ),
    Signal.PAYMENT_TERMS: (
        r"\bnet[- ]?\d{2,3}\b", r"payment terms?", r"pay(?:ing|ment)? (?:quarterly|monthly|later|in (?:installments|"
        r"instalments|arrears)|annually|in \d+ (?:parts|chunks))",
        r"(?:quarterly|monthly) (?:billing|payments?|invoic\w*)",
        r"defer\w* (?:the )?(?:payment|billing|invoic\w*)", r"billing (?:terms|cycle)", r"payment plan",
        r"(?:60|90|120)[- ]day terms",
    ),
    Signal.FREE_ITEMS: (
        r"\bfree\b", r"throw(?:s|ing)? in", r"thrown in", r"for nothing", r"no charge", r"at no (?:extra )?cost",
        r"complimentary", r"waiv\w+", r"on the house", r"\bcomp(?:ed)? (?:the|a|us|them)\b",
    ),
    Signal.SCOPE_CREEP: (
        r"also (?:want|need|asking|asked|include|add|get|expect)", r"extra (?:seats|users|licen\w+|modules?|features?|"
        r"hours|training|support|integrations?|workspaces?)",
        r"more (?:seats|users|licen\w+|modules?|features|support)",
        r"on top\b", r"additional (?:seats|users|modules?|features?|work|scope|support|licen\w+)",
        r"expand\w* (?:the )?scope", r"scope creep", r"custom (?:integration|development|work|features?|build)",
        r"(?:add|include)(?:ing)? (?:the |an? )?\w+ (?:module|integration|feature|add-?on)s?",
    ),
    Signal.STALL: (
        r"get back to (?:you|us|me)", r"think (?:about it|it over)", r"circle back",
        r"(?:gone|went|going) (?:quiet|dark|silent|cold)",
        r"ghost\w*", r"no (?:answer|reply|response)", r"haven'?t heard", r"not heard", r"radio silence",
        r"next (?:quarter|year)", r"revisit", r"on hold", r"push(?:ed|ing)? (?:it|this|the \w+) (?:back|out)",
        r"pushed (?:back|out) (?:to|until|till)",
        r"not (?:a )?priority", r"stall\w*", r"sit(?:ting)? on it", r"(?:went|been) silent", r"no rush",
    ),
    Signal.TIME_SINK: (
        r"\d+ ?(?:hours|hrs)\b", r"so (?:much|many) (?:time|hours|calls|meetings)", r"taking forever", r"dragg\w* on",
        r"back and forth", r"(?:another|more|yet another|\d+(?:th|rd|nd)) (?:call|demo|meeting|round)",
        r"too much time", r"time sink", r"weeks of",
    ),
    Signal.HOW_LOW: (
        r"how (?:low|far|much lower|much further) (?:can|could|should|do) (?:i|we)",
        r"lowest (?:i|we) (?:can|could|should)",
        r"how much (?:more )?(?:can|could|should) (?:i|we) (?:give|drop|discount)",
        r"(?:can|could|should) (?:i|we) go (?:lower|down|further|below)", r"what'?s my (?:limit|room|wiggle)",
        r"how much room",
    ),
    Signal.OFFERED_GET: (
        r"(?:\d+|two|three|four|five|multi)[- ]?(?:year|yr)s? (?:deal|term|contract|commitment|agreement|renewal)",
        r"sign (?:up )?for (?:\d+|two|three|four|five) (?:years|yrs)", r"commit to (?:\d+|two|three|more|a longer)",
        r"(?:if|when) (?:we|they) (?:add|buy|take|double|increase)", r"pay (?:up ?front|annually in advance)",
        r"prepay", r"in (?:exchange|return) (?:for|they)",
    ),
    Signal.PRICE_PUSH: (
        r"split the difference", r"meet (?:us |you |them )?(?:in the middle|halfway)", r"best (?:price|offer|you can)",
        r"lowest (?:price|number)",
        r"discount", r"lower (?:the )?price", r"better (?:price|deal|number|rate)", r"knock\w* (?:off|down)",
        r"\d+ ?(?:%|pct|percent) off", r"sharpen", r"price (?:reduction|cut|drop)", r"come down",
        r"move on (?:the )?price", r"cheaper", r"bring (?:the )?price down", r"wiggle room",
        r"flex\w* on (?:the )?price",
        r"do better", r"push(?:ing)? (?:back )?on (?:the )?price", r"price", r"\d+ ?k\b",
    ),
}
_PATTERNS = {signal: re.compile(r"\b(?:" + "|".join(cues) + ")", re.IGNORECASE) for signal, cues in _CUES.items()}


def signals_in(text: str, *, unethical: bool | None = None) -> tuple[Signal, ...]:
    """The signals some words carry, most pressing first; an unethical demand is read by the ethics detector
    (`unethical`: what it found, when the caller has asked it already)."""
    if not text.strip():
        return ()
    text = text.replace("’", "'")
    if unethical is None:
        unethical = bool(ethics_markers(text))
    found = [Signal.UNETHICAL] if unethical else []
    found += [signal for signal, pattern in _PATTERNS.items() if pattern.search(text)]
    return tuple(found)


@dataclass(frozen=True)
class Situation:
    """The coach's reading of one request."""

    signals: tuple[Signal, ...]
    timing: Timing
    unethical: tuple[str, ...]  # what was demanded, in plain words ("a kickback"), if anything
    given: tuple[str, ...]  # the concessions in force, as the customer heard them ("10% off", "net 60")
    got: tuple[str, ...]  # what was received for them
    latest: Entry | None  # the move just made, if the request follows one

    @property
    def lead(self) -> Signal | None:
        return self.signals[0] if self.signals else None


def read_situation(request: CoachRequest) -> Situation:
    words = " ".join(part for part in (request.question, request.customer_words) if part)
    ledger = request.ledger
    latest = _latest_entry(request)
    asked = tuple(marker for entry in (latest, *ledger.open_asks) if entry for marker in entry.ethics_markers)
    said = ethics_markers(words) if words.strip() else ()
    unethical = tuple(dict.fromkeys((*said, *asked)))
    signals = signals_in(words, unethical=bool(unethical))
    timing = _timing(request, words_ask=bool(signals))
    return Situation(
        signals=signals,
        timing=timing,
        unethical=unethical,
        given=tuple(given_words(give.concession, request.deal.currency) for give in ledger.gives),
        got=tuple(give.get.text for give in ledger.gives if give.get is not None),
        latest=latest,
    )


def given_words(entry: Entry, currency: str) -> str:
    """A concession as the rep would remind the customer of it: "the 10% discount", "net 60", "2 months free"."""
    if entry.concession_type is ConcessionType.PERCENT and entry.percent_bp is not None:
        return f"the {entry.percent_bp / 100:g}% discount"
    if entry.concession_type is ConcessionType.CUT and entry.worth_cents is not None:
        return f"{format_money(entry.worth_cents, currency)} off"
    if entry.concession_type is ConcessionType.PRICE:
        return "the lower price"
    text = entry.text.removeprefix("terms: ")
    return text


def _timing(request: CoachRequest, *, words_ask: bool) -> Timing:
    """`words_ask`: the rep brings words in which the customer asks for something."""
    stage = request.deal.stage
    if stage is Stage.WON:
        return Timing.WON
    if stage is not Stage.OPEN:
        return Timing.WALKED
    moment, ledger = request.moment, request.ledger
    if moment == "opened":
        return Timing.OPENED
    if moment == "ask" or words_ask or ledger.open_asks:
        return Timing.ASKED
    if moment == "get":
        return Timing.GOT
    if moment in ("concession", "coach") and ledger.concession_count:
        # Right after a concession, or asked with nothing new from the customer: the latest give is what matters,
        # and whether something was got for it.
        return Timing.GOT if ledger.unreciprocated_run == 0 else Timing.GAVE
    return Timing.OPENED if not request.deal.entries else Timing.BETWEEN


def _latest_entry(request: CoachRequest) -> Entry | None:
    """The entry the move just made (an ask, a concession, a get): the last active one, for a move's moment."""
    if request.moment not in ("ask", "concession", "get"):
        return None
    active = [entry for entry in request.deal.entries if entry.active]
    return active[-1] if active else None
