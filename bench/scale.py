"""Deal Coach at scale: 10,000 deals and 200,000 concessions, on SQLite and on PostgreSQL.

For each database: opens a few small deals and one long deal through the real router (in-process, as the
Bolt listener calls it) and times `/deal status` and `/deal concede` on them; seeds the database
(bench/seed.py: bulk inserts, rows as the app writes them) and times the same commands again, to show
whether they stay flat; times the team's `/deal summary` (week and quarter) and the weekly digest (the
scheduler's sweep, then the outbox worker building and sending it, chart included), each in a fresh
subprocess with its peak memory; counts the SQL statements per request and prints the plan of every distinct
statement status and concede run (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), flagging full
scans of `deal` and `ledger_entry`.

    python bench/scale.py [--database sqlite|postgresql|both] [--runs 3] [--deals 10000] [--concessions 200000]

Targets: summary and digest each under 1 s, peak memory under 300 MB. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import seed
import sqlplan
from servers import CHANNEL, DEFAULT_PG_URL, MANAGER, PG_ENV, TEAM, VERDICT, Database, check_postgres, log

from bot.bootstrap import Container, build
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.services.access import Actor
from bot.slack.router import CommandRouter
from bot.standin.webapi import SlackStandIn

TARGET_SECONDS, TARGET_MB = 1.0, 300.0
FLAT = 1.5  # seeded p50 under 1.5 x the small database's: flat, within this machine's noise
CHILD_JOBS = ("summary week", "summary quarter", "digest")
SUMMARY = re.compile(r"^Summary for ")  # render/summaries.py; an error reply says what was wrong instead


# ----- the app, in-process ----------------------------------------------------------------------------------


def container_for(url: str, standin: SlackStandIn) -> Container:
    """The app's parts as `serve` builds them (no background threads), talking to the Slack stand-in."""
    settings = Settings(_env_file=None, DATABASE_URL=url, SLACK_BOT_TOKEN=standin.token,  # type: ignore[call-arg]
                        SLACK_SIGNING_SECRET="bench", SLACK_API_URL=standin.start(), DEALCOACH_MANAGERS=MANAGER)
    return build(settings, pace_seconds=0)


def command(router: CommandRouter, user: str, text: str) -> float:
    """Milliseconds for one `/deal` through the router; raises unless the reply is what it should be (a
    verdict, or a summary)."""
    expected = SUMMARY if text.startswith("summary") else VERDICT
    started = time.perf_counter()
    reply = router.handle(Actor(TEAM, user, CHANNEL), text, {"response_url": ""})
    ms = (time.perf_counter() - started) * 1000
    if reply is None or not expected.search(reply.text):
        raise RuntimeError(f"/deal {text}: {reply.text if reply else 'no reply'}")
    return ms


@dataclass(frozen=True)
class Fixture:
    few: list[tuple[str, str]]  # (name, owner): deals with a handful of entries
    many: tuple[str, str]  # one deal with a long ledger


def open_fixture(router: CommandRouter, few: int, few_concessions: int, many: int) -> Fixture:
    deals = [(f"few-{i}", f"U0FEW{i:03d}") for i in range(few)]
    long_deal = ("many", "U0MANY")
    for name, owner in [*deals, long_deal]:
        command(router, owner, f"new {name} list=1m floor=1k customer=Bench")
    for name, owner in deals:
        for _ in range(few_concessions):
            command(router, owner, f"concede {name} 0.01% for x")
    for _ in range(many):
        command(router, long_deal[1], f"concede {long_deal[0]} 0.01% for x")
    return Fixture(deals, long_deal)


def latencies(router: CommandRouter, fixture: Fixture, runs: int) -> dict[tuple[str, str], list[float]]:
    """(command, "few"|"many") -> milliseconds: each few deal once per run, the long deal as often."""
    out: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        for verb in ("status", "concede"):
            suffix = " 0.01% for x" if verb == "concede" else ""
            for name, owner in fixture.few:
                out.setdefault((verb, "few"), []).append(command(router, owner, f"{verb} {name}{suffix}"))
            for _ in fixture.few:
                name, owner = fixture.many
                out.setdefault((verb, "many"), []).append(command(router, owner, f"{verb} {name}{suffix}"))
    return out


def ledger_sizes(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT d.name, count(e.id) FROM deal d LEFT JOIN ledger_entry e ON e.deal_id = d.id "
                "WHERE d.name IN ('few-0', 'many') GROUP BY d.name").all()
            totals = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM deal), (SELECT count(*) FROM ledger_entry)").one()
    finally:
        engine.dispose()
    return {**{str(name): int(n) for name, n in rows}, "deals": int(totals[0]), "entries": int(totals[1])}


# ----- summary and digest, each in its own process ----------------------------------------------------------


def child_job(container: Container, job: str) -> Callable[[], None]:
    """What one timed call does. The digest: clear the week's keys and the outbox, then (timed) the sweep that
    queues it and the worker that builds and sends it, as `serve` does."""
    router = CommandRouter(container.services)
    if job.startswith("summary"):
        def summary() -> None:
            command(router, MANAGER, job)

        return summary

    # Due at any moment of the week: Monday 00:00 has always passed, and the default (Monday 09:00) has not on
    # a Monday morning, when the sweep would queue nothing.
    reply = router.handle(Actor(TEAM, MANAGER, CHANNEL), "policy digest_day=mon digest_hour=0", {"response_url": ""})
    if reply is None or not reply.text.startswith("Workspace policy"):
        raise RuntimeError(f"/deal policy: {reply.text if reply else 'no reply'}")

    def digest() -> None:
        queued = container.digests.queue_due_digests()
        container.worker.drain(timeout=60)
        if not queued:
            raise RuntimeError("no digest was due")

    return digest


def clear_digest_state(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM outbox")
            connection.exec_driver_sql("DELETE FROM sent_once")
    finally:
        engine.dispose()


def child(job: str, url: str, runs: int) -> int:
    """`--child`: one warm-up call, `runs` timed calls, one call under tracemalloc; prints a JSON line."""
    standin = SlackStandIn(team_id=TEAM)
    container = container_for(url, standin)
    try:
        work = child_job(container, job)
        seconds = []
        for i in range(runs + 2):
            if job == "digest":
                clear_digest_state(url)
            traced = i == runs + 1
            if traced:
                tracemalloc.start()
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            if traced:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            elif i > 0:
                seconds.append(elapsed)
        if job == "digest" and not standin.calls_to("chat.postMessage"):
            raise RuntimeError("the digest was not posted")
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        print(json.dumps({"seconds": seconds, "traced_mb": peak / 2**20, "rss_mb": rss_mb,
                          "posted": len(standin.calls_to("chat.postMessage"))}))
    finally:
        container.close()
        standin.stop()
    return 0


def run_child(job: str, url: str, runs: int) -> dict:
    process = subprocess.run([sys.executable, __file__, "--child", job, "--url", url, "--runs", str(runs)],
                             capture_output=True, text=True, timeout=900)
    lines = [line for line in process.stdout.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"{job} failed:\n{process.stdout[-2000:]}\n{process.stderr[-3000:]}")
    return json.loads(lines[-1])


# ----- one database -----------------------------------------------------------------------------------------


@dataclass
class Scaled:
    database: str
    seeded: seed.Seeded | None = None
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)  # "small"/"seeded" -> ledger sizes
    latency: dict[str, dict[tuple[str, str], list[float]]] = field(default_factory=dict)
    statements: dict[tuple[str, str], int] = field(default_factory=dict)  # (command, deal) -> SQL statements
    jobs: dict[str, dict] = field(default_factory=dict)
    plans: list[sqlplan.Plan] = field(default_factory=list)  # status and concede
    summary_plans: list[sqlplan.Plan] = field(default_factory=list)


def count_statements(container: Container, router: CommandRouter, fixture: Fixture, result: Scaled) -> None:
    """SQL statements per request, and every statement status and concede ran (for EXPLAIN)."""
    for verb in ("status", "concede"):
        for size, (name, owner) in (("few", fixture.few[0]), ("many", fixture.many)):
            suffix = " 0.01% for x" if verb == "concede" else ""
            with sqlplan.capture(container.engine) as captured:
                command(router, owner, f"{verb} {name}{suffix}")
            result.statements[verb, size] = len(captured.statements)
            known = {plan.statement.sql for plan in result.plans}
            fresh = [s for s in captured.distinct() if s.sql not in known]
            result.plans += sqlplan.explain(container.engine, fresh)
    with sqlplan.capture(container.engine) as captured:
        command(router, MANAGER, "summary quarter")
    result.statements["summary quarter", ""] = len(captured.statements)
    result.summary_plans = sqlplan.explain(container.engine, captured.distinct())


def bench_database(kind: str, args: argparse.Namespace) -> Scaled:
    result = Scaled(kind)
    with tempfile.TemporaryDirectory(prefix=f"dealcoach-scale-{kind}-") as folder:
        database = Database(kind, Path(folder), args.postgres_url, "scale")
        standin = SlackStandIn(team_id=TEAM)
        container = None
        try:
            url = database.create()
            upgrade(url)
            container = container_for(url, standin)
            router = CommandRouter(container.services)
            log(f"{kind}: opening the small and long deals")
            fixture = open_fixture(router, args.few_deals, args.few_concessions, args.many)
            result.sizes["small"] = ledger_sizes(url)
            result.latency["small"] = latencies(router, fixture, args.runs)
            log(f"{kind}: seeding {args.deals} deals and {args.concessions} concessions")
            engine = make_engine(url)
            try:
                result.seeded = seed.seed(engine, team=TEAM, deals=args.deals, concessions=args.concessions,
                                          reps=args.reps, weeks=args.weeks)
                if kind == "postgresql":  # what autovacuum does after a bulk load, done now
                    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                        connection.exec_driver_sql("ANALYZE")
            finally:
                engine.dispose()
            log(f"{kind}: seeded in {result.seeded.seconds:.1f} s; timing again")
            result.sizes["seeded"] = ledger_sizes(url)
            result.latency["seeded"] = latencies(router, fixture, args.runs)
            count_statements(container, router, fixture, result)
            for job in CHILD_JOBS:
                log(f"{kind}: {job} in a subprocess")
                result.jobs[job] = run_child(job, url, args.runs)
        finally:
            if container is not None:
                container.close()
            standin.stop()
            database.drop()
    return result


# ----- report -----------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))] if ordered else float("nan")


def report(results: list[Scaled], args: argparse.Namespace) -> None:
    print()
    print("command: " + shlex.join([sys.executable, *sys.argv]))
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    print("\n| database | what | wall s (median) | wall s (max) | peak traced MB | max RSS MB | target |")
    print("|---|---|---|---|---|---|---|")
    targets = []
    for r in results:
        for job, data in r.jobs.items():
            median, worst = statistics.median(data["seconds"]), max(data["seconds"])
            met = median < TARGET_SECONDS and data["rss_mb"] < TARGET_MB
            targets.append(f"{'PASS' if met else 'MISS'}  {r.database} {job}: {median:.3f} s, {data['rss_mb']:.0f} MB "
                           f"RSS (targets < {TARGET_SECONDS:g} s, < {TARGET_MB:.0f} MB)")
            print(f"| {r.database} | {job} | {median:.3f} | {worst:.3f} | {data['traced_mb']:.1f} "
                  f"| {data['rss_mb']:.0f} | {'PASS' if met else 'MISS'} |")
    print(f"\n`/deal status` and `/deal concede` in-process (router → service → reply), {args.runs} x "
          f"{args.few_deals} calls each:\n")
    print("| database | command | deal (entries) | database (deals / entries) | p50 ms | p95 ms | p50 vs small |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        for verb in ("status", "concede"):
            for size, key in (("few", "few-0"), ("many", "many")):
                small = statistics.median(r.latency["small"][verb, size])
                for phase in ("small", "seeded"):
                    ms, sizes = r.latency[phase][verb, size], r.sizes[phase]
                    change = statistics.median(ms) / small
                    flat = "" if phase == "small" else f"x{change:.1f}" + (" (flat)" if change < FLAT else " (grows)")
                    print(f"| {r.database} | {verb} | {size} ({sizes.get(key, 0)}) | {phase} ({sizes['deals']} / "
                          f"{sizes['entries']}) | {statistics.median(ms):.1f} | {pct(ms, 95):.1f} | {flat} |")
    for r in results:
        s = r.seeded
        if s is not None:
            print(f"\n{r.database}: seeded {s.deals} deals, {s.concessions} concessions and {s.gets} gets in "
                  f"{s.seconds:.1f} s")
        print(f"{r.database}: SQL statements per request: " + ", ".join(
            f"{verb}{f' ({size} deal)' if size else ''} {n}" for (verb, size), n in r.statements.items()))
        print_plans(r.database, "status and concede", r.plans)
        print_plans(r.database, "summary quarter", r.summary_plans, brief=True)
    print()
    print("\n".join(targets))


def print_plans(database: str, what: str, plans: list[sqlplan.Plan], *, brief: bool = False) -> None:
    scans = [plan for plan in plans if plan.full_scans]
    print(f"\n{database}: plans of the {len(plans)} distinct statements {what} ran "
          f"({len(scans)} with a full scan of {' or '.join(sqlplan.WATCHED)}):")
    for plan in plans:
        flag = "FULL SCAN  " if plan.full_scans else ""
        print(f"- {flag}{sqlplan.one_line(plan.statement.sql, 160 if brief else 300)}")
        for line in plan.watched if brief else plan.lines:
            print(f"      {line}")


# ----- main -------------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get(PG_ENV, DEFAULT_PG_URL))
    parser.add_argument("--runs", type=int, default=3, help="timed calls per measurement, medians (default 3)")
    parser.add_argument("--deals", type=int, default=10_000, help="deals to seed (default 10000)")
    parser.add_argument("--concessions", type=int, default=200_000, help="concessions to seed (default 200000)")
    parser.add_argument("--reps", type=int, default=50, help="reps owning the seeded deals (default 50)")
    parser.add_argument("--weeks", type=int, default=6, help="weeks the seeded deals were opened over (default 6)")
    parser.add_argument("--few-deals", type=int, default=30, help="small deals timed (default 30)")
    parser.add_argument("--few-concessions", type=int, default=3, help="concessions on each small deal")
    parser.add_argument("--many", type=int, default=300, help="concessions on the long deal (default 300)")
    parser.add_argument("--child", choices=CHILD_JOBS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        return child(args.child, args.url, args.runs)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds:
        check_postgres(args.postgres_url)
    started = time.monotonic()
    results = [bench_database(kind, args) for kind in kinds]
    report(results, args)
    print(f"\nfinished in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
