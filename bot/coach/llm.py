"""The LLM coach: phrasing by the LLM, the move by the rules; any answer that breaks a guard is discarded."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from bot.coach.offline import recommended_move
from bot.coach.types import Advice, CoachRequest, Line, Move, Principle
from bot.domain.errors import InputError
from bot.domain.money import Amount, format_percent, parse_amount
from bot.llm.client import LLMUnavailable, StructuredLLM
from bot.llm.prompts import Prompts, as_data

_VERDICT_CAPITALS = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")
_MONEY = re.compile(r"(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?\s?[kKmM]?|\d[\d,]*(?:\.\d+)?\s?[kKmM]\b)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")


class CoachLineModel(BaseModel):
    text: str = Field(min_length=1, max_length=400)
    principle_id: str


class CoachAnswer(BaseModel):
    move: Literal["hold", "trade", "escalate", "walk away"]
    lines: list[CoachLineModel] = Field(min_length=1, max_length=3)


class LLMCoach:
    def __init__(self, llm: StructuredLLM, prompts: Prompts, principles: tuple[Principle, ...]) -> None:
        self._llm, self._prompts = llm, prompts
        self._principles = {p.id: p for p in principles}
        llm.prepare(CoachAnswer)

    def advise(self, request: CoachRequest, *, budget: float | None = None) -> Advice:
        """Raises LLMUnavailable when the LLM fails or its answer breaks a guard (the offline advice stays)."""
        move = recommended_move(request)
        answer = self._llm.ask(self._system(request), self._task(request, move), CoachAnswer, budget=budget)
        # An unknown id gets no title here; the guard discards the answer before anyone reads it.
        lines = tuple(Line(line.text.strip(), line.principle_id, self._title(line.principle_id))
                      for line in answer.lines)
        problem = guard(lines, request, set(self._principles))
        if problem:
            raise LLMUnavailable(problem)
        # The rules decide the move; the LLM only phrases it.
        return Advice(move=move, lines=lines, coach=self._llm.model)

    def _title(self, principle_id: str) -> str:
        principle = self._principles.get(principle_id)
        return principle.title if principle else ""

    def _system(self, request: CoachRequest) -> str:
        listed = "\n".join(f"- {p.id}: {p.rule}" for p in self._principles.values())
        cap = format_percent(request.deal.effective_cap_bp(request.policy))
        return self._prompts.render("coach_system", principles=listed, cap=cap)

    def _task(self, request: CoachRequest, move: Move) -> str:
        deal = request.deal
        findings = "; ".join(f"{f.rule.value} ({f.verdict.word.lower()})" for f in request.judgement.findings)
        concessions = "; ".join(
            f"{g.concession.text} (got: {g.get.text if g.get else 'nothing'})" for g in request.ledger.gives[-8:]
        )
        return self._prompts.render(
            "coach_task",
            deal=deal.name,
            customer=deal.customer or "unknown",
            currency=deal.currency,
            move=move.value,
            findings=findings or "nothing",
            concessions=concessions or "none",
            moment=request.moment,
            question=request.question or "none",
            customer_words=as_data(request.customer_words, 2000),
        )


def guard(lines: tuple[Line, ...], request: CoachRequest, principle_ids: set[str]) -> str | None:
    """Why these lines may not reach the rep, or None. The floor and prices never leave through the LLM."""
    deal = request.deal
    cap_bp = deal.effective_cap_bp(request.policy)
    for line in lines:
        if line.principle_id not in principle_ids:
            return "unknown principle"
        if _VERDICT_CAPITALS.search(line.text):
            return "verdict word in capitals"
        if re.search(r"\b(floor|walk-away price|walk away price|headroom)\b", line.text, re.IGNORECASE):
            return "mentions the floor"
        for raw in _MONEY.findall(line.text):
            amount = _amount(raw)
            if amount is not None and amount.cents <= deal.floor_cents:
                return "names a price at or below the floor"
        for raw in _PERCENT.findall(line.text):
            if float(raw) * 100 > cap_bp:
                return "offers a discount above the cap"
    return None


def _amount(raw: str) -> Amount | None:
    try:
        return parse_amount(raw.replace(" ", ""))
    except InputError:  # an unreadable number is not a price
        return None
