"""Scores the coach on tables of negotiation situations: the principle and move a good coach chooses there, what
it must never say, and whether it repeats itself when asked again.

    python bench/coach_quality.py                      # the offline coach, every table in bench/tables/coaching*.py
    python bench/coach_quality.py --misses coaching    # the misses of one TUNING table (never of the held-out one)
    python bench/coach_quality.py --llm http://127.0.0.1:8088/v1 --model qwen2.5-coder-1.5b-instruct --timeout 90

A situation is a deal (list, floor, target, cap, term), the moves made on it in order, and what the rep asks the
coach or the customer's words. The coach is asked as Deal Coach asks it: right after the last move when there is
no question, else as `/deal coach <deal> <question>`. Deals are qualified, so that the rule about unqualified
concessions does not speak in every row. The repeat check asks the same question three times in a row, each
time with the lines shown before, as the deal keeps them."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.coach.offline import OfflineCoach  # noqa: E402
from bot.coach.principles import load_principles  # noqa: E402
from bot.coach.types import Advice, CoachRequest, remembered  # noqa: E402
from bot.domain import deals as domain  # noqa: E402
from bot.domain.errors import InputError  # noqa: E402
from bot.domain.ethics import ethics_markers  # noqa: E402
from bot.domain.ledger import Ledger  # noqa: E402
from bot.domain.model import Entry, EntryKind, Policy, Qualification, Stage  # noqa: E402
from bot.domain.money import format_money, parse_amount  # noqa: E402
from bot.domain.offers import asked_in, judge_offer  # noqa: E402
from bot.domain.reader import read_ask, read_concession, terms_of  # noqa: E402
from bot.domain.rules import Judgement, judge, judge_ask  # noqa: E402

TABLES = Path(__file__).resolve().parent / "tables"
REP = "U0REP0001"
AT = datetime(2026, 12, 1, 10, tzinfo=UTC)
ASKED_AGAIN = 3  # how many times in a row the repeat check asks
UNREADABLE: list[str] = []  # moves of the tables that `/deal concede` or `/deal ask` would refuse


@dataclass
class Score:
    n: int = 0
    principle: int = 0
    move: int = 0
    both: int = 0
    leaks: int = 0
    never: int = 0
    must: int = 0
    must_n: int = 0
    repeats: int = 0
    used: int = 0  # LLM answers used (the rest were discarded or failed)
    seconds: list[float] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def build(row: dict) -> CoachRequest:
    """The coach request a row's deal, moves and words make, as the services build it."""
    terms = dict(list=100_000, floor=80_000, target=None, cap_pct=20, term_months=12) | row.get("deal", {})
    policy = Policy()
    deal = domain.new_deal(
        team_id="T1", name="acme", owner_id=REP, channel_id="C1", list_price=parse_amount(str(terms["list"])),
        floor=parse_amount(str(terms["floor"])),
        target=parse_amount(str(terms["target"])) if terms["target"] else None,
        cap_bp=int(terms["cap_pct"] * 100), customer="", policy=policy, term_months=terms["term_months"],
        by_manager=True, at=AT)
    deal.id = 1
    deal.qualification = Qualification(True, True, True, True)
    what_if: Judgement | None = None
    last = None
    for kind, *words in row["moves"]:
        text = words[0] if words else ""
        what_if, last = _apply(deal, policy, kind, text), kind
    words_given = bool(row.get("question") or row.get("customer_words"))
    moment = "coach" if words_given or last is None else {"ask": "ask", "concede": "concession", "get": "get"}.get(
        last, "coach")
    ledger = Ledger.of(deal)
    judgement = what_if if moment == "ask" and what_if is not None else judge(deal, policy, ledger)
    asked = None
    if moment == "coach" and deal.is_open:  # as `/deal coach` does: what the words ask is judged as if given
        offer = asked_in(row.get("question", ""), row.get("customer_words", ""), terms_of(deal, ledger))
        asked = judge_offer(deal, policy, offer, by=REP, at=AT) if offer is not None else None
    # As the service does, an ask is coached on its own words.
    words = row.get("customer_words") or (row["moves"][-1][1] if moment == "ask" else "")
    return CoachRequest(deal, ledger, judgement, policy, moment, customer_words=words,
                        question=row.get("question", ""), asked=asked)


def _apply(deal, policy: Policy, kind: str, text: str) -> Judgement | None:  # noqa: ANN001
    """One move of a row on the deal; an ask returns its what-if judgement."""
    ledger = Ledger.of(deal)
    if kind == "concede":
        reading = read_concession(text, terms_of(deal, ledger))
        if reading.spec is None:
            UNREADABLE.append(text)
            return None
        entry = domain.concession_entry(deal, reading.spec, by=REP, at=AT, ledger=ledger)
        deal.entries.append(entry)
        if reading.get:
            deal.entries.append(domain.get_entry(deal, reading.get, None, by=REP, at=AT, answering=entry))
    elif kind == "get":
        deal.entries.append(domain.get_entry(deal, text, None, by=REP, at=AT))
    elif kind == "ask":
        markers = ethics_markers(text)
        try:
            spec = read_ask(text, terms_of(deal, ledger))
        except InputError:  # `/deal ask` refuses it: counted, and the ask kept as words only
            UNREADABLE.append(text)
            deal.entries.append(Entry(seq=deal.next_seq(), kind=EntryKind.ASK, by_user=REP, at=AT, text=text,
                                      ethics_markers=markers))
            return judge(deal, policy, ledger)
        ask = Entry(seq=deal.next_seq(), kind=EntryKind.ASK, by_user=REP, at=AT, text=text,
                    concession_type=spec.type, percent_bp=spec.percent_bp, ethics_markers=markers)
        try:
            as_given = domain.concession_entry(deal, spec, by=REP, at=AT, ledger=ledger)
            as_given.ethics_markers = markers
            what_if = judge_ask(deal, policy, as_given)
        except Exception:  # an ask that would take the price to zero: judged as the deal stands
            what_if = judge(deal, policy, ledger)
        deal.entries.append(ask)
        return what_if
    elif kind in ("walk", "lost"):
        domain.close(deal, Stage.WALKED if kind == "walk" else Stage.LOST, price=None, note="")
    elif kind.startswith("won"):
        domain.close(deal, Stage.WON, price=parse_amount(text) if text else None, note="")
    elif kind == "back":
        domain.come_back(deal, parse_amount(text) if text else None)
    else:
        raise ValueError(f"unknown move kind in the table: {kind!r}")
    return None


def secrets(request: CoachRequest) -> list[str]:
    """The ways a line could give away the floor or the cap."""
    deal, policy = request.deal, request.policy
    floor = deal.floor_cents // 100
    cap = deal.effective_cap_bp(policy) / 100
    return [format_money(deal.floor_cents, deal.currency), f"{floor:,}", f"{floor // 1000}k", f"{cap:g}%",
            f"{cap:g} percent", f"{cap:g} pct"]


def score_row(row: dict, advise: Callable[[CoachRequest], Advice], score: Score, *, repeats: bool) -> None:
    request = build(row)
    started = time.perf_counter()
    advice = advise(request)
    score.seconds.append(time.perf_counter() - started)
    texts = [line.text.lower() for line in advice.lines]
    principles = {line.principle_id for line in advice.lines}
    principle_ok = bool(principles & set(row["expect_principles"]))
    move_ok = advice.move.value in row["expect_move"]
    leaked = [s for s in secrets(request) if any(_says(text, s.lower()) for text in texts)]
    said_never = [s for s in row.get("never_say", ()) if any(_says(text, s.lower()) for text in texts)]
    score.n += 1
    score.principle += principle_ok
    score.move += move_ok
    score.both += principle_ok and move_ok
    score.leaks += bool(leaked)
    score.never += bool(said_never)
    if row.get("must_say_any"):
        score.must_n += 1
        score.must += any(word.lower() in text for text in texts for word in row["must_say_any"])
    repeated = _repeated(request, advise, advice) if repeats else 0
    score.repeats += repeated
    if not (principle_ok and move_ok) or leaked or said_never or repeated:
        score.misses.append(
            f"{row['id']}: move {advice.move.value} (want {'/'.join(row['expect_move'])}), principles "
            f"{sorted(principles)} (want any of {list(row['expect_principles'])})"
            + (f", leaked {leaked}" if leaked else "") + (f", said {said_never}" if said_never else "")
            + (f", {repeated} repeated" if repeated else "")
            + "".join(f"\n      > {line.text}" for line in advice.lines))


def _says(text: str, secret: str) -> bool:
    return re.search(r"(?<![\w$.,])" + re.escape(secret) + r"(?![\w,]|\.\d)", text) is not None


def _repeated(request: CoachRequest, advise: Callable[[CoachRequest], Advice], first: Advice) -> int:
    """Lines repeated when the same request is asked again, each time with the lines shown so far."""
    shown = remembered((), first)
    seen = {line.text for line in first.lines}
    repeated = 0
    for _ in range(ASKED_AGAIN - 1):
        again = advise(_with_shown(request, shown))
        repeated += sum(line.text in seen for line in again.lines)
        seen |= {line.text for line in again.lines}
        shown = remembered(shown, again)
    return repeated


def _with_shown(request: CoachRequest, shown: tuple[str, ...]) -> CoachRequest:
    return dataclasses.replace(request, shown=shown)


def tables(names: Sequence[str]) -> list[tuple[str, list[dict]]]:
    files = sorted(TABLES.glob("coaching*.py"))
    chosen = [f for f in files if not names or f.stem in names]
    return [(f.stem, importlib.import_module(f"tables.{f.stem}").SITUATIONS) for f in chosen]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tables", nargs="*", help="table names (default: every bench/tables/coaching*.py)")
    parser.add_argument("--misses", action="store_true", help="print each miss (tuning tables only)")
    parser.add_argument("--llm", help="an OpenAI-compatible base URL: score the LLM coach too")
    parser.add_argument("--model", default="local", help="the model name to ask for (with --llm)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds an LLM answer may take (with --llm)")
    parser.add_argument("--limit", type=int, help="score only the first N situations of each table")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    principles = load_principles()
    coaches: list[tuple[str, Callable[[CoachRequest], Advice]]] = [("offline coach", OfflineCoach(principles).advise)]
    if args.llm:
        coaches.append(("LLM coach", _llm_coach(args.llm, args.model, args.timeout, principles)))
    print("| table | coach | n | principle | move | both | leaks | never-said | must-say | repeats | used | s/answer |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, rows in tables(args.tables):
        for coach_name, advise in coaches:
            score = Score()
            for row in rows[:args.limit]:
                score_row(row, advise, score, repeats=coach_name == "offline coach")
            _report(name, coach_name, score)
            if args.misses:
                print("\n".join("  - " + miss for miss in score.misses))
    if UNREADABLE:
        print(f"\n{len(set(UNREADABLE))} moves of the tables were refused by the reader and kept as words only.")
    return 0


def _llm_coach(url: str, model: str, timeout: float, principles) -> Callable[[CoachRequest], Advice]:  # noqa: ANN001
    from bot.coach.llm import LLMCoach
    from bot.config import Settings
    from bot.llm.client import LLMUnavailable, StructuredLLM
    from bot.llm.prompts import Prompts

    settings = Settings(OPENAI_BASE_URL=url, DEALCOACH_LLM_MODEL=model, DEALCOACH_LLM_TIMEOUT=timeout,
                        OPENAI_API_KEY="local")
    coach = LLMCoach(StructuredLLM(settings), Prompts(), principles)
    offline = OfflineCoach(principles)

    def advise(request: CoachRequest) -> Advice:
        try:
            return coach.advise(request)
        except LLMUnavailable as exc:
            _discarded[str(exc)] = _discarded.get(str(exc), 0) + 1
            return offline.advise(request)

    return advise


_discarded: dict[str, int] = {}


def _report(table: str, coach: str, score: Score) -> None:
    def pct(k: int, n: int) -> str:
        return f"{k / n:.2f}" if n else "-"

    seconds = sorted(score.seconds)
    median = seconds[len(seconds) // 2] if seconds else 0.0
    print(f"| {table} | {coach} | {score.n} | {pct(score.principle, score.n)} | {pct(score.move, score.n)} | "
          f"{pct(score.both, score.n)} | {score.leaks} | {score.never} | {pct(score.must, score.must_n)} | "
          f"{score.repeats} | {score.n - sum(_discarded.values()) if coach != 'offline coach' else '-'} | "
          f"{median:.3f} |")
    if coach != "offline coach" and _discarded:
        print("  discarded or failed: " + ", ".join(f"{why} ×{k}" for why, k in _discarded.items()))
        _discarded.clear()


if __name__ == "__main__":
    raise SystemExit(main())
