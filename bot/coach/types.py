"""The coach's typed interface: what it is given, what it answers, and the protocol every coach meets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Policy
from bot.domain.rules import Judgement

OFFLINE_READER = "offline reader"


class Move(StrEnum):
    HOLD = "hold"
    TRADE = "trade"
    ESCALATE = "escalate"
    WALK_AWAY = "walk away"


@dataclass(frozen=True)
class CoachName:
    """Who phrased the advice: the offline coach, or the LLM coach and the model it ran on."""

    model: str | None = None  # None: the offline coach

    @property
    def is_llm(self) -> bool:
        return self.model is not None


OFFLINE_COACH = CoachName()


@dataclass(frozen=True)
class Principle:
    id: str
    title: str  # what the rep reads beside the advice; the id is for the prompts and the guards
    rule: str
    applies: tuple[str, ...]
    examples: tuple[str, ...]  # lines for before a move, or any time
    after: tuple[str, ...] = ()  # lines for right after a concession was logged, where other words are needed


@dataclass(frozen=True)
class PlayLine:
    text: str  # may hold blanks the ledger fills: {get}, {last_given}, {given}, {got}, {unethical}
    principle_id: str


@dataclass(frozen=True)
class Play:
    """What to say in one situation (a signal in the customer's words, or a moment), from situations.toml."""

    id: str
    lines: tuple[PlayLine, ...]


@dataclass(frozen=True)
class CoachRequest:
    """Everything a coach may look at. `moment`: opened, ask, concession, get, coach, …; `question`: what the rep
    asked the coach; `customer_words`: what the customer said; `shown`: the lines last shown on this deal (newest
    last), which no coach repeats; `asked`: for a coach request, the verdict if what the words ask were given
    (a recorded ask is judged that way in `judgement` already)."""

    deal: Deal
    ledger: Ledger
    judgement: Judgement
    policy: Policy
    moment: str
    customer_words: str = ""
    question: str = ""
    shown: tuple[str, ...] = ()
    asked: Judgement | None = None  # the verdict if what the question or the customer's words ask were given


@dataclass(frozen=True)
class Line:
    text: str
    principle_id: str
    principle_title: str


@dataclass(frozen=True)
class Advice:
    move: Move
    lines: tuple[Line, ...]
    coach: CoachName  # which coach answered


class Coach(Protocol):
    def advise(self, request: CoachRequest) -> Advice: ...


SHOWN_KEPT = 9  # three answers of three lines: asked again and again, the coach finds new words


def remembered(shown: Iterable[str], advice: Advice) -> tuple[str, ...]:
    """The lines a deal keeps as shown once `advice` is shown: the latest SHOWN_KEPT, newest last, one line each."""
    return (*shown, *(" ".join(line.text.split()) for line in advice.lines))[-SHOWN_KEPT:]


def shown_before(shown: tuple[str, ...], advice: Advice) -> tuple[str, ...]:
    """The lines kept as shown before `advice` was added to them (`remembered`'s inverse, when it was the last)."""
    added = remembered((), advice)
    return shown[:-len(added)] if added and shown[-len(added):] == added else shown
