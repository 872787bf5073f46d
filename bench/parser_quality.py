"""How well the offline reader understands what reps and buyers type: offers in bargaining chat, with their
amounts, read against the deal (the tuning table and a held-out table written blind), the older labelled rep
messages, and the ways reps phrase `/deal concede` and `/deal ask`.

    python bench/parser_quality.py [--misses]
    python bench/parser_quality.py --llm http://127.0.0.1:8088/v1 --model qwen2.5-coder-1.5b-instruct --timeout 90

With --llm, the held-out bargaining table is read as a deal thread reads it with an LLM configured: the LLM's
reading, checked against the message, else the offline reader's; it says how many readings the LLM gave and
the seconds each took.

An offer counts as found with its amount when the reader proposes one and, for a price, a cut or a percentage,
names the labelled figure; precision is over every offer the reader proposed, recall over every labelled offer.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "unit"), str(REPO / "bench")]

from rep_messages import MESSAGES  # noqa: E402
from rep_messages_holdout import HOLDOUT  # noqa: E402
from tables.bargaining import ROWS as BARGAINING  # noqa: E402
from tables.bargaining_holdout import ROWS as BARGAINING_HOLDOUT  # noqa: E402
from tables.bargaining_more import ROWS as BARGAINING_MORE  # noqa: E402
from tables.bargaining_sides import ROWS as BARGAINING_SIDES  # noqa: E402
from tables.command_phrasings import PHRASINGS  # noqa: E402

from bot.domain.errors import InputError  # noqa: E402
from bot.domain.offers import Offer, find_offer  # noqa: E402
from bot.domain.reader import DealTerms, Reading, read_ask, read_concession  # noqa: E402

COMMAND_TERMS = DealTerms(list_cents=10_000_000, net_cents=10_000_000)  # the phrasing table's deal: $100k


@dataclass
class Score:
    messages: int = 0
    offers: int = 0  # labelled
    proposed: int = 0
    right: int = 0  # an offer found with its labelled amount
    typed: int = 0
    kinded: int = 0

    def lines(self) -> list[tuple[str, float | int]]:
        return [
            ("messages", self.messages),
            ("with an offer", self.offers),
            ("recall (offer with its amount)", self.right / self.offers if self.offers else 0.0),
            ("precision", self.right / self.proposed if self.proposed else 0.0),
            ("type right (of found)", self.typed / self.right if self.right else 0.0),
            ("kind right (of found)", self.kinded / self.right if self.right else 0.0),
        ]


def figure_of(offer: Offer) -> float | None:
    spec = offer.spec
    if spec.percent_bp is not None:
        return spec.percent_bp / 100
    if spec.amount is not None:
        return spec.amount.cents / 100
    return None


def bargaining(rows: list, misses: bool, read: Callable[[str, DealTerms], Offer | None] = find_offer) -> Score:
    score = Score()
    for list_price, net, text, kind, type_, amount in rows:
        terms = DealTerms(list_cents=list_price * 100, net_cents=(net or list_price) * 100)
        offer = read(text, terms)
        score.messages += 1
        score.offers += kind is not None
        score.proposed += offer is not None
        right = offer is not None and kind is not None and (
            amount is None or type_ in ("free", "terms") or figure_of(offer) == amount)
        score.right += right
        if right:
            score.typed += offer.spec.type.value == type_
            score.kinded += offer.kind == kind
        got = None if offer is None else (offer.kind, offer.spec.type.value, figure_of(offer))
        if misses and (not right and (offer is not None or kind is not None) or right and got[:2] != (kind, type_)):
            print(f"  {text!r} (list {list_price}): expected {(kind, type_, amount)}, got {got}")
    return score


def labelled(table: list, misses: bool) -> Score:
    score = Score()
    for text, type_, kind in table:
        offer = find_offer(text)
        score.messages += 1
        score.offers += type_ is not None
        score.proposed += offer is not None
        if offer is not None and type_ is not None:
            score.right += 1
            score.typed += offer.spec.type.value == type_
            score.kinded += offer.kind == kind
        elif misses and (offer is None) != (type_ is None):
            print(f"  {text!r}: expected {(kind, type_)}, got {None if offer is None else offer.kind}")
    return score


def phrasings(misses: bool) -> list[tuple[str, float | int]]:
    """Each typed command read with the right figures (logged), read otherwise but offered for one click
    (unsure), read wrong, or refused."""
    logged = one_click = wrong = refused = 0
    for command, text, type_, value, get in PHRASINGS:
        try:
            reading = read_concession(text, COMMAND_TERMS) if command == "concede" else \
                Reading(read_ask(text, COMMAND_TERMS))
        except InputError:
            refused += 1
            if misses:
                print(f"  refused: {command} {text!r}")
            continue
        ok = _matches(reading, type_, value) and (command == "ask" or bool(reading.get) == bool(get))
        if ok and reading.sure:
            logged += 1
        elif not reading.sure and (ok or (reading.other is not None and _matches(
                Reading(reading.other), type_, value))):
            one_click += 1
        else:
            wrong += 1
            if misses:
                print(f"  wrong: {command} {text!r}: expected {(type_, value, get)}, got "
                      f"{(reading.spec.type.value, reading.spec, reading.get)}")
    return [("commands", len(PHRASINGS)), ("logged with the right figures", logged),
            ("a one-click reading", one_click), ("read wrong", wrong), ("refused", refused)]


def _matches(reading: Reading, type_: str, value: float | None) -> bool:
    spec = reading.spec
    if spec.type.value != type_:
        return False
    if type_ == "percent":
        return spec.percent_bp == round(value * 100)
    if type_ in ("cut", "price"):
        return spec.amount is not None and spec.amount.cents == round(value * 100)
    if type_ == "free" and value is not None:
        return spec.months == value
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every message read wrong")
    parser.add_argument("--llm", help="an OpenAI-compatible base URL: read the held-out table with the LLM reader")
    parser.add_argument("--model", default="local", help="the model name to ask for (with --llm)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds a reading may take (with --llm)")
    args = parser.parse_args()
    if args.llm:
        return with_llm(args)
    sections = [
        ("bargaining chat, tuning table (bench/tables/bargaining.py)", lambda: bargaining(BARGAINING, args.misses)),
        ("bargaining chat, second tuning table (bench/tables/bargaining_more.py)",
         lambda: bargaining(BARGAINING_MORE, args.misses)),
        ("bargaining chat, third tuning table: which side speaks (bench/tables/bargaining_sides.py)",
         lambda: bargaining(BARGAINING_SIDES, args.misses)),
        ("bargaining chat, held out, written blind (bench/tables/bargaining_holdout.py)",
         lambda: bargaining(BARGAINING_HOLDOUT, args.misses)),
        ("rep messages, tuning table (tests/unit/rep_messages.py)", lambda: labelled(MESSAGES, args.misses)),
        ("rep messages, held out (tests/unit/rep_messages_holdout.py)", lambda: labelled(HOLDOUT, args.misses)),
    ]
    for title, run in sections:
        print(title)
        for name, value in run().lines():
            print(f"  {name:32} {value:.3f}" if isinstance(value, float) else f"  {name:32} {value}")
    print("command phrasings, written blind (bench/tables/command_phrasings.py)")
    for name, value in phrasings(args.misses):
        print(f"  {name:32} {value}")
    return 0


def with_llm(args: argparse.Namespace) -> int:
    from bot.coach.offer_reader import LLMOfferReader
    from bot.config import Settings
    from bot.llm.client import LLMUnavailable, StructuredLLM
    from bot.llm.prompts import Prompts

    settings = Settings(OPENAI_BASE_URL=args.llm, DEALCOACH_LLM_MODEL=args.model, DEALCOACH_LLM_TIMEOUT=args.timeout,
                        OPENAI_API_KEY="local")
    reader = LLMOfferReader(StructuredLLM(settings), Prompts())
    seconds: list[float] = []
    failed: dict[str, int] = {}
    nothing = [0]  # readings the LLM did not give, or gave as "no offer": the offline reader's stand

    def read(text: str, terms: DealTerms) -> Offer | None:
        started = time.perf_counter()
        try:
            offer = reader.read(text, terms=terms)
        except LLMUnavailable as exc:  # as a deal thread does: the offline reader answers
            failed[str(exc)] = failed.get(str(exc), 0) + 1
            offer = None
        finally:
            seconds.append(time.perf_counter() - started)
        if offer is None:  # nor does the LLM's "no offer" overrule the offline reader's
            nothing[0] += 1
            offer = find_offer(text, terms)
        return offer

    print(f"bargaining chat, held out, read by the LLM ({args.model}) else offline")
    for name, value in bargaining(BARGAINING_HOLDOUT, False, read).lines():
        print(f"  {name:32} {value:.3f}" if isinstance(value, float) else f"  {name:32} {value}")
    seconds.sort()
    print(f"  LLM readings used                {len(seconds) - nothing[0]} of {len(seconds)} "
          f"(the rest: the offline reader's)")
    print(f"  seconds a reading (median, max)  {seconds[len(seconds) // 2]:.1f}, {seconds[-1]:.1f}")
    if failed:
        print("  not used: " + ", ".join(f"{why} ×{n}" for why, n in failed.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
