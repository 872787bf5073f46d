"""The offline coach: it reads the situation and answers from the principles and plays, with no LLM."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterator, Mapping

from bot.coach.principles import load_plays
from bot.coach.situation import Signal, Situation, Timing, read_situation
from bot.coach.types import OFFLINE_COACH, Advice, CoachRequest, Line, Move, Play, Principle
from bot.domain.model import Verdict
from bot.domain.rules import Rule

MAX_LINES = 3
MIN_LINES = 2

# What each signal calls for when the walk-away rules leave the move open. A plain push on price has no move of
# its own: the moment decides it (an ask is traded, anything else is held).
SIGNAL_MOVES: Mapping[Signal, Move] = {
    Signal.UNETHICAL: Move.WALK_AWAY,
    Signal.FINAL_OFFER: Move.HOLD,  # a "final offer" is tested by holding, not by chasing it down
    Signal.COMPETITOR: Move.HOLD,  # compare scope and value; never match a price for its own sake
    Signal.POOR_FIT: Move.WALK_AWAY,  # stop selling what they do not need
    Signal.BUDGET: Move.HOLD,  # keep the price; fit the scope to the budget
    Signal.APPROVAL: Move.HOLD,
    Signal.DEADLINE: Move.TRADE,  # their date is worth something: make it part of the trade
    Signal.PAYMENT_TERMS: Move.TRADE,
    Signal.FREE_ITEMS: Move.TRADE,
    Signal.SCOPE_CREEP: Move.TRADE,
    Signal.STALL: Move.HOLD,  # no concession to revive a quiet deal: set the next step instead
    Signal.TIME_SINK: Move.HOLD,
    Signal.HOW_LOW: Move.HOLD,  # a limit is a place to stop well short of, not a target
    Signal.OFFERED_GET: Move.TRADE,  # something is offered in return: a trade, priced in the same agreement
}
# Rules that say the room is nearly gone: no more giving, even in trade.
_NO_MORE_ROOM = frozenset({Rule.NEAR_FLOOR, Rule.GROWING_STEPS, Rule.CREEP})
_FALLBACKS = ("value-not-price", "expert-not-supplicant", "give-get", "time-has-a-price")
_MOMENT_PLAYS = {Timing.GOT: "got", Timing.WALKED: "walked", Timing.WON: "won"}

# Things a rep can ask for in return, each with the words that show the ledger already holds it.
_GETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a two-year term", ("term", "year", "multi")),
    ("a signature by the end of the month", ("sign", "by ", "close")),
    ("a case study", ("case study", "case-study")),
    ("a reference call", ("reference",)),
    ("payment up front", ("upfront", "up front", "prepay", "in advance")),
    ("a larger order", ("seat", "volume", "users", "licen", "order")),
)


def recommended_move(request: CoachRequest, situation: Situation | None = None) -> Move:
    """The rules decide the move when they are severe; otherwise what the customer is doing decides it."""
    situation = situation or read_situation(request)
    verdict = request.judgement.verdict
    if situation.unethical or verdict is Verdict.WALK_AWAY:
        return Move.WALK_AWAY
    asked = request.asked.verdict if request.asked is not None else Verdict.OK
    if Verdict.ESCALATE in (verdict, asked):
        return Move.ESCALATE  # giving it needs a manager's yes
    if situation.timing in (Timing.WALKED, Timing.WON) or asked is Verdict.WALK_AWAY:
        return Move.HOLD  # a number below the floor is a position to refuse, not yet a reason to leave
    lead = SIGNAL_MOVES.get(situation.lead) if situation.lead else None
    rules = request.judgement.rules
    if lead is Move.TRADE and rules & _NO_MORE_ROOM:
        return Move.HOLD
    if lead is not None:
        return lead
    if rules & _NO_MORE_ROOM:
        return Move.HOLD
    if situation.timing is Timing.ASKED or Rule.GIVE_WITHOUT_GET in rules:
        return Move.TRADE  # never give on request without naming the price of it
    return Move.HOLD


class OfflineCoach:
    def __init__(self, principles: tuple[Principle, ...], plays: Mapping[str, Play] | None = None) -> None:
        self._principles = {p.id: p for p in principles}
        self._ordered = principles
        self._plays = plays if plays is not None else load_plays(principles)

    def advise(self, request: CoachRequest) -> Advice:
        situation = read_situation(request)
        move = recommended_move(request, situation)
        blanks = _blanks(situation)
        shown = [_norm(text) for text in request.shown]
        chosen: list[Line] = []
        # Fresh lines, one per principle first; if that leaves fewer than two lines, a principle may speak twice
        # and the line shown longest ago may come back.
        for one_per_principle in (True, False):
            for source in self._sources(request, situation, move):
                if len(chosen) == (MAX_LINES if one_per_principle else MIN_LINES):
                    break
                used = {line.principle_id for line in chosen} if one_per_principle else set()
                options = [(text.format_map(blanks), pid) for text, pid in source
                           if pid not in used and _fillable(text, blanks)]
                pick = _least_recent(options, shown, chosen, fresh_only=one_per_principle)
                if pick is not None:
                    chosen.append(Line(pick[0], pick[1], self._principles[pick[1]].title))
            if len(chosen) >= MIN_LINES:
                break
        return Advice(move=move, lines=tuple(chosen), coach=OFFLINE_COACH)

    def _sources(self, request: CoachRequest, situation: Situation, move: Move) -> Iterator[list[tuple[str, str]]]:
        """Where lines come from, the most fitting first; each source gives at most one line."""
        if situation.unethical:
            # Nothing else matters: say why, twice over, and nothing that sounds like a trade.
            play = self._play_lines("unethical")
            yield play
            yield play
            return
        if situation.timing in (Timing.WALKED, Timing.WON):
            # The negotiation is over: only what fits a closed deal, never a trade or a price line.
            play = self._play_lines(_MOMENT_PLAYS[situation.timing])
            yield play
            if situation.lead is not None and situation.timing is Timing.WALKED:
                yield self._play_lines(situation.lead.value)  # they came back asking for something
            yield play
            return
        after = situation.timing in (Timing.GAVE, Timing.GOT)  # a move was made: no advice for before it
        if situation.lead is not None:
            yield self._play_lines(situation.lead.value) or self._principle_lines(situation.lead.value, after=after)
        asked = request.asked.findings if request.asked is not None else ()
        for finding in sorted((*asked, *request.judgement.findings), key=lambda f: -f.verdict):
            # Walking away, a manager's approval is beside the point: only the reasons to walk speak.
            if not finding.approved and (move is not Move.WALK_AWAY or finding.verdict is Verdict.WALK_AWAY):
                yield self._principle_lines(finding.rule.value, after=after)
        for signal in situation.signals[1:2]:
            yield self._play_lines(signal.value)
        moment_play = _MOMENT_PLAYS.get(situation.timing)
        if moment_play:
            yield self._play_lines(moment_play)
        if situation.timing is Timing.OPENED:
            yield self._principle_lines("opened", after=False)
        yield self._principle_lines(move.value, after=after)
        # Enough to say two or three things whatever the moment.
        for principle_id in _FALLBACKS:
            yield self._principle_lines(principle_id, after=after)

    def _play_lines(self, play_id: str) -> list[tuple[str, str]]:
        play = self._plays.get(play_id)
        return [(line.text, line.principle_id) for line in play.lines] if play else []

    def _principle_lines(self, trigger: str, *, after: bool) -> list[tuple[str, str]]:
        """The lines of the first principle that applies to `trigger` (a rule, a move or a moment), or of the
        principle with that id; right after a concession, its `after` lines where it has them."""
        principle = self._principles.get(trigger) or next(
            (p for p in self._ordered if trigger in p.applies), None)
        if principle is None:
            return []
        texts = principle.after if after and principle.after else principle.examples
        return [(text, principle.id) for text in texts]


def _least_recent(options: list[tuple[str, str]], shown: list[str], chosen: list[Line], *,
                  fresh_only: bool) -> tuple[str, str] | None:
    """The first option not shown lately (nor already chosen), else (unless `fresh_only`) the one shown longest
    ago."""
    taken = {_norm(line.text) for line in chosen}
    options = [option for option in options if _norm(option[0]) not in taken]
    if fresh_only:
        options = [option for option in options if _norm(option[0]) not in shown]
    if not options:
        return None

    def last_shown(option: tuple[str, str]) -> int:
        text = _norm(option[0])
        return max((i for i, seen in enumerate(shown) if seen == text), default=-1)

    return min(options, key=last_shown)  # min keeps the first of equals: never shown (-1) comes first


def _blanks(situation: Situation) -> dict[str, str]:
    """The values the lines' blanks take on this deal; a blank with no value is left out (its lines skipped)."""
    blanks: dict[str, str] = {"get": _get_to_ask(situation)}
    if situation.given:
        blanks["last_given"] = situation.given[-1]
        blanks["given"] = " and ".join(situation.given[-2:])
    if situation.got:
        blanks["got"] = situation.got[-1]
    if situation.unethical:
        blanks["unethical"] = situation.unethical[0]  # one demand named is reason enough; a list is a speech
    return blanks


def _get_to_ask(situation: Situation) -> str:
    """Something to ask for in return that the ledger does not already hold."""
    held = " ".join(situation.got).lower()
    for get, words in _GETS:
        if not any(word in held for word in words):
            return get
    return _GETS[0][0]


def _fillable(text: str, blanks: Mapping[str, str]) -> bool:
    return all(name in blanks for _, name, _, _ in string.Formatter().parse(text) if name)


@functools.lru_cache(maxsize=1024)  # the same few hundred lines are compared on every advice
def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
