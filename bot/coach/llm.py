"""The LLM coach: the rules choose the move, the LLM phrases it; an answer that breaks a guard is asked for again
once, with the reason, when time allows, and is otherwise discarded."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from types import GenericAlias
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, create_model

from bot.coach.guards import guard
from bot.coach.offline import recommended_move
from bot.coach.types import Advice, CoachName, CoachRequest, Line, Move, Principle
from bot.domain.money import format_percent
from bot.domain.rules import Rule
from bot.llm.errors import LLMUnavailable
from bot.llm.prompts import Prompts, as_data

if TYPE_CHECKING:  # the client imports openai, which only a configured LLM needs
    from bot.llm.client import StructuredLLM

log = logging.getLogger(__name__)
MAX_LINE_CHARS = 240  # the prompt asks for under 200; the schema's hard bound leaves room for one long sentence
COACH_MAX_TOKENS = 400  # three lines of 240 characters are about 180 tokens; the rest is JSON keys and ids
MAX_GIVES = 8  # the latest gives are what the next line must not offer again

# The moment and the rules' findings in plain words: a small model follows words, not labels.
MOMENTS = {
    "opened": "the rep has just opened the deal",
    "ask": "the customer has just asked for something; the rep has not given it",
    "concession": "the rep has just given something",
    "get": "the rep has just got something back",
    "coach": "the rep asks for coaching",
}
FINDINGS = {
    Rule.FLOOR: "the deal has gone past the point where the rep should walk away",
    Rule.ETHICS: "the customer asked for something unethical",
    Rule.FIT: "what the customer needs does not fit what the rep sells",
    Rule.CAP: "the discount is beyond what the rep may give without a manager",
    Rule.NEAR_FLOOR: "the rep has little room left to give",
    Rule.GIVE_WITHOUT_GET: "the rep has given without getting anything back",
    Rule.CREEP: "many concessions are adding up",
    Rule.GROWING_STEPS: "each concession is bigger than the one before",
    Rule.UNQUALIFIED: "the rep is negotiating before knowing the need, who decides, the timeline and the budget",
    Rule.TIME: "the deal is taking more of the rep's time than it is worth",
}


class AnswerLine(BaseModel):
    """A line of the coach's answer as the code reads it; `answer_schema` narrows its principle id."""

    principle_id: str
    text: str = Field(min_length=1, max_length=MAX_LINE_CHARS)


class Answer(BaseModel):
    """The coach's answer as the code reads it; `answer_schema` narrows its move and its lines."""

    move: str
    lines: list[AnswerLine] = Field(min_length=2, max_length=3)


def answer_schema(principle_ids: Iterable[str]) -> type[Answer]:
    """The answer's schema, the known principle ids an enum in it: a server that follows the schema (llama.cpp,
    vLLM, OpenAI) cannot cite another."""
    line = create_model("CoachLine", __base__=AnswerLine, principle_id=(_one_of(tuple(principle_ids)), ...))
    return create_model("CoachAnswer", __base__=Answer, move=(_one_of(tuple(move.value for move in Move)), ...),
                        lines=(_list_of(line), Field(min_length=2, max_length=3)))


# Types made at run time, for `create_model`: a type checker reads only types written out.
def _one_of(values: tuple[str, ...]) -> Any:
    """One of these strings."""
    return Literal[values]


def _list_of(model: type[BaseModel]) -> Any:
    """A list of these models."""
    return GenericAlias(list, (model,))


class LLMCoach:
    def __init__(self, llm: StructuredLLM, prompts: Prompts, principles: tuple[Principle, ...]) -> None:
        self._llm, self._prompts = llm, prompts
        self._principles = {p.id: p for p in principles}
        self.schema = answer_schema(self._principles)
        llm.prepare(self.schema)

    def advise(self, request: CoachRequest, *, budget: float | None = None) -> Advice:
        """Raises LLMUnavailable when the LLM fails or its answer breaks a guard (the offline advice stays)."""
        deadline = time.monotonic() + (budget if budget is not None else self._llm.timeout)
        move = recommended_move(request)
        system, task = self._system(request), self._task(request, move)
        started = time.monotonic()
        lines = self._lines(system, task, deadline)
        problem = guard(lines, request, set(self._principles))
        # One more try, told what was wrong, only if another attempt as long as the first still fits.
        if problem and deadline - time.monotonic() >= time.monotonic() - started:
            log.info("LLM coaching asked again: %s", problem)
            previous = json.dumps({"move": move.value, "lines": [
                {"principle_id": line.principle_id, "text": line.text} for line in lines]})
            lines = self._lines(system, task, deadline,
                                correction=(previous, self._prompts.render("coach_retry", reason=problem)))
            problem = guard(lines, request, set(self._principles))
        if problem:
            raise LLMUnavailable(problem)
        # The rules decide the move; the LLM only phrases it.
        return Advice(move=move, lines=lines, coach=CoachName(self._llm.model))

    def _lines(self, system: str, task: str, deadline: float,
               correction: tuple[str, str] | None = None) -> tuple[Line, ...]:
        answer = self._llm.ask(system, task, self.schema, max_tokens=COACH_MAX_TOKENS,
                               budget=max(deadline - time.monotonic(), 0.0), correction=correction)
        # An unknown id (a server that ignores the schema) gets no title; the guard discards it before anyone reads it.
        return tuple(Line(line.text.strip(), line.principle_id, self._title(line.principle_id))
                     for line in answer.lines)

    def _title(self, principle_id: str) -> str:
        principle = self._principles.get(principle_id)
        return principle.title if principle else ""

    def _system(self, request: CoachRequest) -> str:
        """The principles and the rules; the cap only as a limit never to state, the floor never."""
        listed = "\n".join(f"- {p.id}: {p.rule}" for p in self._principles.values())
        cap = format_percent(request.deal.effective_cap_bp(request.policy))
        return self._prompts.render("coach_system", principles=listed, cap=cap)

    def _task(self, request: CoachRequest, move: Move) -> str:
        """The deal in plain words: what happened, the move, what was given and got, the question, what was shown.
        No price of the deal is in it: the LLM cannot leak what it never saw."""
        deal, ledger = request.deal, request.ledger
        findings = [FINDINGS.get(f.rule, f.rule.value) for f in request.judgement.findings if not f.approved]
        if request.asked is not None:  # what the words ask, judged as if given
            findings += [f"giving what they ask: {FINDINGS.get(f.rule, f.rule.value)}" for f in request.asked.findings]
        gives = ledger.gives[-MAX_GIVES:]
        return self._prompts.render(
            "coach_task",
            deal=as_data(deal.name, 100),
            customer=as_data(deal.customer, 100) or "unknown",
            currency=deal.currency,
            moment=MOMENTS.get(request.moment, f"the rep's latest step: {request.moment}"),
            move=move.value,
            findings="; ".join(findings) or "nothing wrong",
            given=_listed(f"{g.concession.text}, " + (f"in return for {g.get.text}" if g.get else
                                                      "with nothing in return") for g in gives),
            got=_listed(g.get.text for g in gives if g.get),
            asks=_listed((ask.text for ask in ledger.open_asks[-3:]), empty="nothing now"),
            question=as_data(request.question, 500) or "none",
            shown=_listed(request.shown[-6:], empty="none"),
            customer_words=as_data(request.customer_words, 2000),
        )


def _listed(items: Iterable[str], empty: str = "nothing yet") -> str:
    lines = [f"- {as_data(item, 300)}" for item in items if item]
    return "\n".join(lines) or f"- {empty}"

