"""Reading an offer out of a rep's thread message: the LLM reads it (structured output) when one is
configured, the offline reader in `bot.domain.offers` otherwise or when the LLM's reading cannot be trusted.

Either way nothing is recorded: the reading becomes a proposal the rep confirms with a click. The LLM
only names the offer; the amounts are parsed by the same code as `/deal concede`, must appear in the
words it quotes, and the quoted words must be in the message. Ethics markers always come from the
offline detector, so no model can talk a bribe into a discount."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, Field

from bot.coach.types import OFFLINE_READER
from bot.domain.deals import ConcessionSpec
from bot.domain.errors import InputError
from bot.domain.ethics import ethics_markers
from bot.domain.model import ConcessionType
from bot.domain.money import parse_amount, parse_percent
from bot.domain.offers import Offer, find_offer
from bot.domain.reader import DealTerms
from bot.llm.errors import LLMUnavailable
from bot.llm.prompts import Prompts, as_data

if TYPE_CHECKING:  # the client imports openai, which only a configured LLM needs
    from bot.llm.client import StructuredLLM

_FIGURE = re.compile(r"(?:[$€£¥]|\b(?:USD|EUR|GBP)\s?)?\d[\d,.]*\s?(?:[kKmM]\b|%)?")
_SPACES = re.compile(r"\s+")


class OfferReader(Protocol):
    name: str

    def read(self, text: str, *, terms: DealTerms | None = None, budget: float | None = None) -> Offer | None: ...


class OfflineOfferReader:
    name = OFFLINE_READER

    def read(self, text: str, *, terms: DealTerms | None = None, budget: float | None = None) -> Offer | None:
        return find_offer(text, terms)


# The answer's strings are bounded at 600 characters together (about 150 tokens); the rest is JSON.
OFFER_MAX_TOKENS = 300


class OfferAnswer(BaseModel):
    """The LLM's reading of one message."""

    kind: Literal["ask", "concession", "none"]
    type: Literal["percent", "cut", "price", "free", "terms"] | None = None
    value: str = Field(default="", max_length=200)
    evidence: str = Field(default="", max_length=400)


class LLMOfferReader:
    def __init__(self, llm: StructuredLLM, prompts: Prompts) -> None:
        self._llm, self._prompts = llm, prompts
        self.name = llm.model
        llm.prepare(OfferAnswer)

    def read(self, text: str, *, terms: DealTerms | None = None, budget: float | None = None) -> Offer | None:
        """Raises LLMUnavailable when the LLM fails or its reading breaks a guard (use the offline reader)."""
        answer = self._llm.ask(self._prompts.render("offer_system"),
                               self._prompts.render("offer_task", message=as_data(text)), OfferAnswer,
                               max_tokens=OFFER_MAX_TOKENS, budget=budget)
        return offer_from_answer(answer, text)


def offer_from_answer(answer: OfferAnswer, text: str) -> Offer | None:
    """The offer an LLM answer names, checked against the message; LLMUnavailable if it cannot be trusted."""
    markers = ethics_markers(text)
    if answer.kind == "none" or answer.type is None:
        if not markers:
            return None
        return Offer("ask", ConcessionSpec(ConcessionType.TERMS, text=text.strip()[:200]), markers)
    if not _normalised(answer.evidence) or _normalised(answer.evidence) not in _normalised(text):
        raise LLMUnavailable("the quoted words are not in the message")
    spec = _spec(ConcessionType(answer.type), answer)
    if not _figure_is_quoted(spec, answer.evidence):
        raise LLMUnavailable("a figure that is not in the message")
    kind = "ask" if markers else answer.kind
    return Offer(kind, spec, markers)


def _spec(kind: ConcessionType, answer: OfferAnswer) -> ConcessionSpec:
    value = answer.value.strip()
    try:
        if kind is ConcessionType.PERCENT:
            return ConcessionSpec(kind, percent_bp=parse_percent(value if value.endswith("%") else value + "%"))
        if kind in (ConcessionType.CUT, ConcessionType.PRICE):
            return ConcessionSpec(kind, amount=parse_amount(value.replace(" ", "")))
    except InputError as exc:
        raise LLMUnavailable(f"an unreadable {kind.value}") from exc
    if not value:
        raise LLMUnavailable(f"an empty {kind.value}")
    return ConcessionSpec(kind, text=value)


def _figure_is_quoted(spec: ConcessionSpec, evidence: str) -> bool:
    """A percentage or an amount counts only if the quoted words contain that very figure."""
    if spec.type is ConcessionType.PERCENT:
        return spec.percent_bp in _figures(evidence, percent=True)
    if spec.amount is not None:
        return spec.amount.cents in _figures(evidence, percent=False)
    return True


def _figures(words: str, *, percent: bool) -> set[int]:
    found: set[int] = set()
    for token in _FIGURE.findall(words):
        token = token.replace(" ", "").rstrip(".,")
        try:
            if percent and token.endswith("%"):
                found.add(parse_percent(token))
            elif not percent and not token.endswith("%"):
                found.add(parse_amount(token).cents)
        except InputError:
            continue  # "2024", "3.5.1": not a figure of this kind
    return found


def _normalised(words: str) -> str:
    return _SPACES.sub(" ", words).strip().lower()
