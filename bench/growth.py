"""What ledger length costs `dealcoach serve` under wrk: short deals against long ones, and deals that keep growing.

For SQLite and PostgreSQL in turn: starts `python -m bot serve` and the limit (`bench/limit_app.py`: bare Bolt,
one durable insert per `/deal`) as `serve_load.py` does, opens deals with signed `/deal new`, and gives them
ledgers through the seeding path (`seed.lengthen`: the app's own domain and row mapping, bulk inserts):
`--deals` short deals of 5 entries and `--deals` long ones of 5,000. Then, `--runs` times, each for `--duration`
seconds at 8 connections, in an order that rotates between repetitions:

- `/deal status` on the short deals and on the long ones;
- `/deal concede <deal> 0.01% for x` on short deals (a fresh batch each run, so they stay short) and on the long
  ones (which gain entries: fine);
- the same concession spread over 16 deals for the whole benchmark (each ledger grows by hundreds while it is
  measured), against the limit in the same repetition;
- the same concession on one deal (a fresh one each run): contention on one row, reported without a target.

    python bench/growth.py [--runs 3] [--duration 10] [--database sqlite|postgresql|both]

Needs wrk. See bench/README.md. A measurement, not a test: it exits 1 only when a reply was wrong or the
ledger gained other than the concessions wrk counted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time

from load_report import Measured, Outcome, median
from seed import lengthen
from serve_load import LIMIT, WARMUP_SECONDS, Bench, Deal, bench_main, new_deals, open_deals, shared_arguments
from servers import TEAM, log, run_main

from bot.db.engine import make_engine

CONNECTIONS = 8
SPREAD = 16  # deals the spread case's concessions keep landing on
TARGET_GROWTH, TARGET_RATIO, TARGET_P99_MS = 1.25, 0.25, 40.0
# (case, command): how the table names each measured side, in its order.
CASES = {("limit", "concede"): "limit: Bolt + 1 insert", ("short", "status"): "short deals",
         ("long", "status"): "long deals", ("short", "concede"): "short deals (fresh each run)",
         ("long", "concede"): "long deals", ("spread", "concede"): f"{SPREAD} deals, the whole benchmark",
         ("one", "concede"): "one deal (fresh each run)"}


class Growth(Bench):
    """serve and the limit on one kind of database, the deals of every case, and every measured run."""

    def run(self, with_bare: bool = False) -> None:
        self.app_db.create()
        self.limit_db.create()
        self.start("serve", self.env(self.app_db))
        self.start("limit", self.env(self.limit_db), LIMIT)
        deals = self.prepare()
        spread_before = self.lengths("gh-")
        for rep in range(self.args.runs):
            plan = [("limit", deals["warm"], "concede", "limit"), ("serve", deals["short"], "status", "short"),
                    ("serve", deals["long"], "status", "long"),
                    ("serve", deals[f"fresh {rep}"], "concede", "short"),
                    ("serve", deals["long"], "concede", "long"), ("serve", deals["spread"], "concede", "spread"),
                    ("serve", deals[f"one {rep}"], "concede", "one")]
            shift = rep % len(plan)  # rotate the order, so no side always runs first
            for server, group, verb, case in plan[shift:] + plan[:shift]:
                self.outcome.measured.append(self.measure(server, group, verb, CONNECTIONS, rep, case))
        self.outcome.notes += [
            f"{self.kind}: entries per deal at the end: short status deals {self.lengths('gs-')}, long deals "
            f"{self.lengths('gl-')}, short concede batches {self.lengths('gc')}, the {SPREAD} deals "
            f"{spread_before} before the first run and {self.lengths('gh-')} after the last, the one deals "
            f"{self.lengths('go')}",
            f"{self.kind}: {self.app_db.state()}; the Slack stand-in got "
            f"{len(self.standin.calls_to('chat.postMessage'))} chat.postMessage"]
        for name in ("serve", "limit"):
            self.stop(name)

    def prepare(self) -> dict[str, list[Deal]]:
        """Every case's deals, opened through serve and given their ledgers; the servers warmed up."""
        args, port = self.args, self.servers["serve"].port
        deals = {"short": new_deals("gs", args.deals), "long": new_deals("gl", args.deals),
                 "spread": new_deals("gh", SPREAD), "warm": new_deals("gw", 100)}
        open_deals(port, self.signer, deals["warm"])
        estimate = self.load("serve", deals["warm"], "concede", CONNECTIONS, WARMUP_SECONDS).rps
        batches = self.concede_batches(estimate, "gc")
        for rep in range(args.runs):  # a fresh batch of short deals, and a fresh single deal, for every run
            deals[f"fresh {rep}"] = batches[rep, CONNECTIONS]
            deals[f"one {rep}"] = new_deals(f"go{rep}", 1)
        open_deals(port, self.signer, [deal for name, group in deals.items() if name != "warm" for deal in group])
        self.seed(deals["long"], args.long_entries)
        self.seed([deal for name, group in deals.items() if name not in ("long", "warm") for deal in group],
                  args.short_entries)
        for database in (self.app_db, self.limit_db):
            database.analyze()
        self.load("limit", deals["warm"], "concede", CONNECTIONS, WARMUP_SECONDS)
        self.load("serve", deals["long"], "status", CONNECTIONS, WARMUP_SECONDS)
        return deals

    def seed(self, deals: list[Deal], entries: int) -> None:
        started = time.monotonic()
        engine = make_engine(self.app_db.url)
        try:
            lengthen(engine, team=TEAM, names=[name for name, _ in deals], entries=entries)
        finally:
            engine.dispose()
        log(f"{self.kind}: gave {len(deals)} deals {entries} entries each in {time.monotonic() - started:.1f} s")

    def lengths(self, prefix: str) -> str:
        """The fewest and most ledger entries of the deals whose names start with `prefix`."""
        (row,), = self.app_db.scalars(
            "SELECT min(n), max(n) FROM (SELECT count(e.id) AS n FROM deal d LEFT JOIN ledger_entry e "
            f"ON e.deal_id = d.id WHERE d.name LIKE '{prefix}%' GROUP BY d.id) AS per_deal")
        return f"{row[0]}" if row[0] == row[1] else f"{row[0]}..{row[1]}"


# ----- report -----------------------------------------------------------------------------------------------


def runs_of(outcome: Outcome, database: str, case: str, command: str) -> list[Measured]:
    return [m for m in outcome.measured if (m.database, m.case, m.command) == (database, case, command)]


def per_rep_ratio(top: list[Measured], bottom: list[Measured], figure: str) -> float:
    """Median over repetitions of top's figure over bottom's, each pair from the same repetition."""
    below = {m.rep: getattr(m.result, figure) for m in bottom}
    return median([getattr(m.result, figure) / below[m.rep] for m in top if below.get(m.rep)])


def table(outcome: Outcome) -> list[str]:
    lines = ["| database | command | deals | req/s | each run | p50 ms | p99 ms | errors | vs limit | long/short p50 "
             "| CPU ms/reply: server, PostgreSQL |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for database in dict.fromkeys(m.database for m in outcome.measured):
        limit = runs_of(outcome, database, "limit", "concede")
        for (case, command), label in CASES.items():
            runs = runs_of(outcome, database, case, command)
            if not runs:
                continue
            rps = [m.result.rps for m in runs]
            vs_limit = per_rep_ratio(runs, limit, "rps") if command == "concede" and case != "limit" else None
            growth = per_rep_ratio(runs, runs_of(outcome, database, "short", command), "p50_ms") \
                if case == "long" else None
            cpu = f"{median([m.cpu_ms for m in runs]):.2f}" + (
                f", {median([m.db_cpu_ms for m in runs]):.2f}" if runs[0].db_cpu_ms is not None else "")
            p50, p99 = median([m.result.p50_ms for m in runs]), median([m.result.p99_ms for m in runs])
            lines.append(f"| {database} | {command} | {label} | {median(rps):.0f} "
                         f"| {', '.join(f'{r:.0f}' for r in rps)} | {p50:.1f} | {p99:.1f} "
                         f"| {sum(m.result.errors for m in runs)} | {_maybe(vs_limit)} | {_maybe(growth)} | {cpu} |")
    return lines


def _maybe(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def targets(outcome: Outcome) -> list[str]:
    lines = []
    for database in dict.fromkeys(m.database for m in outcome.measured):
        for command in ("status", "concede"):
            long, short = runs_of(outcome, database, "long", command), runs_of(outcome, database, "short", command)
            growth = per_rep_ratio(long, short, "p50_ms")
            lines.append(f"{_verdict(growth <= TARGET_GROWTH)}  {database} /deal {command} p50 on long deals "
                         f"{median([m.result.p50_ms for m in long]):.1f} ms against "
                         f"{median([m.result.p50_ms for m in short]):.1f} ms on short ones: {growth:.2f}x "
                         f"(target <= {TARGET_GROWTH}x)")
        spread = runs_of(outcome, database, "spread", "concede")
        ratio = per_rep_ratio(spread, runs_of(outcome, database, "limit", "concede"), "rps")
        p99 = median([m.result.p99_ms for m in spread])
        lines.append(f"{_verdict(ratio >= TARGET_RATIO)}  {database} /deal concede over {SPREAD} growing deals: "
                     f"{ratio:.2f} of the limit's throughput (target >= {TARGET_RATIO})")
        lines.append(f"{_verdict(p99 < TARGET_P99_MS)}  {database} /deal concede over {SPREAD} growing deals: "
                     f"p99 {p99:.1f} ms (target < {TARGET_P99_MS:.0f} ms)")
    return lines


def _verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


def checks(outcome: Outcome) -> tuple[list[str], bool]:
    """Every reply right, and the ledger gained exactly the concessions counted, run by run."""
    wrong = [m for m in outcome.measured if m.result.errors or not m.ledger_ok]
    lines = [f"{'MISMATCH' if not m.ledger_ok else 'errors'}: {m.database} {m.server} {m.command} ({m.case}) run "
             f"{m.rep + 1}: {m.rows_added} rows for {m.result.counted} counted replies; {m.result.failed_check} "
             f"without verdict, {m.result.non_200} non-200, {m.result.socket_errors} socket errors" for m in wrong]
    counted = sum(1 for m in outcome.measured if m.rows_added is not None)
    ok = f"ok: in all {counted} concede runs the rows added equal the replies counted; no errors"
    return lines or [ok], not wrong


def report(outcome: Outcome, args: argparse.Namespace, argv: list[str], seconds: float) -> bool:
    print("\ncommand: " + shlex.join([sys.executable, sys.argv[0], *argv]))
    print(f"settings: {args.runs} runs of {args.duration:g} s per side at {CONNECTIONS} connections, wrk "
          f"{args.wrk_threads} threads; gunicorn gthread {os.environ.get('DEALCOACH_WEB_WORKERS', '2')} workers x "
          f"{os.environ.get('DEALCOACH_WEB_THREADS', '4')} threads; {args.deals} short deals of {args.short_entries} "
          f"entries, {args.deals} long deals of {args.long_entries}")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}\n")
    print("\n".join(table(outcome)) + "\n")
    print("\n".join(targets(outcome)) + "\n")
    lines, good = checks(outcome)
    print("\n".join(lines))
    for note in outcome.notes:
        print("note: " + note)
    print(f"\nfinished in {seconds:.0f} s")
    return good


# ----- main -------------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = shared_arguments(__doc__)
    parser.add_argument("--deals", type=int, default=8, help="short deals and long deals, each (default 8)")
    parser.add_argument("--short-entries", type=int, default=5, help="entries on a short deal (default 5)")
    parser.add_argument("--long-entries", type=int, default=5000, help="entries on a long deal (default 5000)")
    parser.add_argument("--per-deal", type=int, default=5,
                        help="about this many concessions per fresh short deal in a run (default 5)")
    parser.add_argument("--min-deals", type=int, default=100, help="at least this many fresh short deals a run")
    parser.add_argument("--max-deals", type=int, default=1000, help="at most this many fresh short deals a run")
    args = parser.parse_args(argv)
    if min(args.runs, args.duration, args.deals, args.short_entries, args.long_entries, args.per_deal) < 1:
        parser.error("counts and durations must be at least 1")
    args.concurrency = [CONNECTIONS]  # what Bench.concede_batches sizes batches for
    return args


def main(argv: list[str] | None = None) -> int:
    return bench_main(argv, parse_args, Growth, "dealcoach-growth", report)


if __name__ == "__main__":
    run_main(main)
