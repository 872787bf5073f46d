"""Summary sentences by the LLM, checked against the figures; the offline writer answers whenever they fail."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from bot.coach.summary import OfflineSummaryWriter, phrases
from bot.domain.figures import RepFigures, TeamFigures
from bot.llm.errors import LLMUnavailable
from bot.llm.prompts import Prompts

if TYPE_CHECKING:  # the client imports openai, which only a configured LLM needs
    from bot.llm.client import StructuredLLM

_VERDICT_CAPITALS = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")
SUMMARY_MAX_TOKENS = 600  # five sentences of summary at most, with room to spare


class SummarySentences(BaseModel):
    sentences: list[str] = Field(min_length=1, max_length=5)


class LLMSummaryWriter:
    def __init__(self, llm: StructuredLLM, prompts: Prompts, fallback: OfflineSummaryWriter) -> None:
        self._llm, self._prompts, self._fallback = llm, prompts, fallback
        llm.prepare(SummarySentences)

    def write(self, period: str, reps: tuple[RepFigures, ...], team: TeamFigures | None, *,
              past: bool = False) -> tuple[str, ...]:
        this, before = phrases(period, past)
        figures = {"team": asdict(team) if team else None, "reps": [asdict(rep) for rep in reps]}
        try:
            answer = self._llm.ask(
                self._prompts.render("summary_system"),
                self._prompts.render("summary_task", period=this, previous=before,
                                     figures=json.dumps(figures, default=str)),
                SummarySentences,
                max_tokens=SUMMARY_MAX_TOKENS,
            )
        except LLMUnavailable:
            return self._fallback.write(period, reps, team, past=past)
        sentences = tuple(s.strip() for s in answer.sentences if s.strip())
        if not sentences or not usable(sentences, figures):
            return self._fallback.write(period, reps, team, past=past)
        return sentences


def usable(sentences: tuple[str, ...], figures: dict[str, Any]) -> bool:
    """Every number said must be one of the figures (no invented or computed numbers): a number with % must
    be one of the percentages, any other one of the counts. No verdict capitals; nothing about floors."""
    text = re.sub(r"<@\w+>", "", " ".join(sentences))
    if _VERDICT_CAPITALS.search(text) or re.search(r"\b(floor|headroom|walk-away price)\b", text, re.IGNORECASE):
        return False
    counts: set[str] = set()
    percents: set[str] = set()
    _collect(figures, counts, percents)
    for number, percent_sign in _SAID.findall(text):
        if _canonical(number) not in (percents if percent_sign else counts):
            return False
    return True


_SAID = re.compile(r"(?<![\w#.])(\d+(?:\.\d+)?)\s*(%?)")


def _collect(value: object, counts: set[str], percents: set[str], key: str = "") -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _collect(item, counts, percents, str(name))
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, counts, percents, key)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float) and (key.endswith("_bp") or key == "win_rate"):
        share = value / 100 if key.endswith("_bp") else value * 100  # basis points, or a 0..1 rate
        percents.update({_canonical(f"{share:.1f}"), _canonical(f"{share:.0f}"), _canonical(f"{share:.2f}")})
    elif isinstance(value, int | float):
        counts.add(_canonical(str(value)))


def _canonical(number: str) -> str:
    return f"{float(number):g}"
