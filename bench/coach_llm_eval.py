"""The LLM coach on a real model: ten realistic negotiation moments, each answer used or discarded (and why),
with the seconds each took. Not a test: it needs a running OpenAI-compatible server.

    OPENAI_BASE_URL=http://127.0.0.1:8088/v1 DEALCOACH_LLM_MODEL=qwen2.5-coder-1.5b-instruct \\
        DEALCOACH_LLM_TIMEOUT=90 python bench/coach_llm_eval.py [--only NAME] [--runs 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from bot.coach.guards import guard  # noqa: E402
from bot.coach.llm import LLMCoach  # noqa: E402
from bot.coach.principles import load_principles  # noqa: E402
from bot.coach.types import CoachRequest, Line  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.deals import concession_entry, get_entry  # noqa: E402
from bot.domain.ethics import ethics_markers  # noqa: E402
from bot.domain.ledger import Ledger  # noqa: E402
from bot.domain.model import Deal, Entry, EntryKind, Policy, Qualification  # noqa: E402
from bot.domain.reader import read_ask, read_concession, terms_of  # noqa: E402
from bot.domain.rules import judge, judge_ask  # noqa: E402
from bot.llm.client import LLMUnavailable, StructuredLLM  # noqa: E402
from bot.llm.prompts import Prompts  # noqa: E402

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
REP = "U0REP"
POLICY = Policy()


@dataclass
class Case:
    name: str
    moment: str
    customer_words: str = ""
    question: str = ""
    gives: list[tuple[str, str | None]] = field(default_factory=list)  # (concession words, get or None)
    ask: str = ""
    floor_k: int = 80
    qualified: bool = True
    shown: tuple[str, ...] = ()


CASES = [
    Case("competitor-cheaper", "ask", "Globex quoted us 15% less for the same seats. Can you match that?",
         ask="15% off"),
    Case("free-month", "ask", "If you throw in a free month we can sign this week.", ask="1 month free"),
    Case("after-a-big-concession", "concession", "Thanks. Can you also do net 90 on payment?",
         gives=[("12% off list", None)]),
    Case("kickback", "ask", "Send me a $500 gift card personally and I'll make sure this gets signed.",
         ask="a kickback to the buyer: a $500 gift card"),
    Case("past-the-cap", "ask", "Procurement needs another 15% off or this doesn't get signed.",
         gives=[("10% off list", "a two-year term")], ask="15% off", floor_k=70),
    Case("how-to-stop-the-slide", "coach", "We'll need a bit more flexibility before we can commit.",
         question="They keep asking for more. How do I stop giving things away?",
         gives=[("10% off list", "a two-year term"), ("net 60", None)]),
    Case("near-the-floor", "ask", "Just 5% more and we have a deal.", gives=[("12% off list", "a case study")],
         ask="5% off"),
    Case("best-price-before-qualifying", "ask", "What's the best price you can do?", ask="10% off",
         qualified=False),
    Case("growing-steps", "ask", "Last one, I promise: 8% more and we sign today.",
         gives=[("2% off list", None), ("5% off list", "a logo on the website")], ask="8% off"),
    Case("same-question-again", "coach", "Can you sharpen the pencil a bit?", question="What do I say now?",
         gives=[("5% off list", None)],
         shown=("I can look at that if we can agree on a two-year term. Does that work on your side?",
                "Before we talk numbers again, can we go back to the cost of the problem you're solving?")),
]


def build(case: Case) -> CoachRequest:
    deal = Deal(id=1, team_id="T0", name="acme", owner_id=REP, channel_id="C0", currency="USD",
                list_cents=100_000_00, floor_cents=case.floor_k * 1_000_00, customer="Acme Corp",
                qualification=Qualification(True, True, True, True) if case.qualified else Qualification(),
                created_at=NOW)
    for words, got in case.gives:
        spec = read_concession(words, terms_of(deal)).spec
        deal.entries.append(concession_entry(deal, spec, by=REP, at=NOW))
        if got:
            deal.entries.append(get_entry(deal, got, None, by=REP, at=NOW))
    judgement = judge(deal, POLICY)
    if case.ask:
        spec = read_ask(case.ask, terms_of(deal))
        markers = ethics_markers(case.ask)
        ask = Entry(seq=deal.next_seq(), kind=EntryKind.ASK, by_user=REP, at=NOW, text=case.ask,
                    concession_type=spec.type, percent_bp=spec.percent_bp, ethics_markers=markers)
        as_given = concession_entry(deal, spec, by=REP, at=NOW)
        deal.entries.append(ask)
        judgement = judge_ask(deal, POLICY, dataclasses.replace(as_given, ethics_markers=markers))
    return CoachRequest(deal, Ledger.of(deal), judgement, POLICY, case.moment, customer_words=case.customer_words,
                        question=case.question, shown=case.shown)


class Recording(StructuredLLM):
    """Remembers each attempt's seconds and lines, to say why a first answer was asked for again."""

    attempts: list[tuple[float, tuple[str, ...]]]

    def ask(self, system, user, schema, **kwargs):  # noqa: ANN001, ANN003, ANN201 - a pass-through
        started = time.monotonic()
        try:
            answer = super().ask(system, user, schema, **kwargs)
        except LLMUnavailable as exc:
            self.attempts.append((time.monotonic() - started, (f"<failed: {exc}>",)))
            raise
        self.attempts.append((time.monotonic() - started, tuple(line.text for line in answer.lines)))
        return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    settings = Settings()
    principles = load_principles()
    llm = Recording(settings)
    coach = LLMCoach(llm, Prompts(), principles)
    used = tried = 0
    for _ in range(args.runs):
        for case in CASES:
            if args.only and args.only not in case.name:
                continue
            request = build(case)
            llm.attempts = []
            started = time.monotonic()
            try:
                advice = coach.advise(request)
                outcome, lines = "used", [f"[{line.principle_id}] {line.text}" for line in advice.lines]
                used += 1
            except LLMUnavailable as exc:
                outcome, lines = f"discarded: {exc}", []
            tried += 1
            seconds = time.monotonic() - started
            print(f"\n== {case.name} (move {advice.move.value if lines else '-'}): {outcome}; "
                  f"{len(llm.attempts)} attempt(s), {seconds:.1f} s "
                  f"({', '.join(f'{s:.1f}' for s, _ in llm.attempts)})")
            if len(llm.attempts) > 1 or not lines:
                for n, (_, texts) in enumerate(llm.attempts, start=1):
                    first = tuple(Line(t, "give-get", "") for t in texts)
                    print(f"   attempt {n}: {guard(first, request, {p.id for p in principles})}")
                    for text in texts:
                        print(f"     - {text}")
            for line in lines:
                print(f"   {line}")
    print(f"\n{used} of {tried} answers used")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
