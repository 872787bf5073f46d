"""The offline coach: deterministic advice from the principles, used with no LLM or when it fails."""

from __future__ import annotations

from bot.coach.types import OFFLINE_COACH, Advice, CoachRequest, Line, Move, Principle
from bot.domain.model import Verdict
from bot.domain.rules import Rule

MAX_LINES = 3


def recommended_move(request: CoachRequest) -> Move:
    """The rules decide the move; the coach only phrases it."""
    verdict = request.judgement.verdict
    if verdict is Verdict.WALK_AWAY:
        return Move.WALK_AWAY
    if verdict is Verdict.ESCALATE:
        return Move.ESCALATE
    if request.moment == "ask" or Rule.GIVE_WITHOUT_GET in request.judgement.rules:
        return Move.TRADE  # never give on request without naming the price of it
    return Move.HOLD


class OfflineCoach:
    def __init__(self, principles: tuple[Principle, ...]) -> None:
        self._principles = principles

    def advise(self, request: CoachRequest) -> Advice:
        move = recommended_move(request)
        # The most severe reason first, then the move itself, then the other reasons and the moment.
        rules = [f.rule.value for f in request.judgement.findings if not f.approved]
        triggers = [*rules[:1], move.value, *rules[1:], request.moment] if rules else [request.moment, move.value]
        chosen = self._pick(triggers)
        # Vary the wording as a negotiation goes on, so the same deal does not hear the same line twice.
        turn = len(request.ledger.gives) + len(request.ledger.open_asks)
        lines = tuple(Line(p.examples[(turn + i) % len(p.examples)], p.id, p.title) for i, p in enumerate(chosen))
        return Advice(move=move, lines=lines, coach=OFFLINE_COACH)

    def _pick(self, triggers: list[str]) -> list[Principle]:
        chosen: list[Principle] = []
        for trigger in triggers:
            for principle in self._principles:
                if trigger in principle.applies and principle not in chosen:
                    chosen.append(principle)
                    break
            if len(chosen) == MAX_LINES:
                break
        if len(chosen) < 2:
            chosen += [p for p in self._principles if p.id in ("give-get", "value-not-price") and p not in chosen]
        return chosen[:MAX_LINES]
