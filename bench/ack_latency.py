"""Acknowledgement latency of `/deal status` and `/deal concede` against a real `dealcoach serve`.

Starts the Slack Web API stand-in, then `python -m bot serve` (gunicorn) as a subprocess on a fresh
SQLite file and/or a fresh PostgreSQL database, opens deals with signed `/deal new` requests, and
drives signed `/deal status` and `/deal concede <deal> 0.01% for x` requests over loopback from
keep-alive connections. Prints requests, errors, throughput and p50/p95/p99/max latency per database
and command. The target (from the issue) is p95 under 50 ms for both commands.

    python bench/ack_latency.py [--requests N] [--concurrency 8] [--database sqlite|postgresql|both]

Run it from the repository root; see bench/README.md. This is a benchmark, not a test: it always
prints its numbers, and exits 1 only when some request failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import secrets
import shlex
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servers import (  # bench/servers.py: shared with serve_load.py and scale.py
    DEFAULT_PG_URL,
    MANAGER,
    PG_ENV,
    TEAM,
    VERDICT,
    Client,
    Database,
    Server,
    check_postgres,
    log,
    server_env,
)

from bot.standin.loopback import free_port
from bot.standin.requests import RequestSigner
from bot.standin.webapi import SlackStandIn

CHANNEL = "C0DEALS"
TARGET_P95_MS = 50.0
LIST_PRICE, FLOOR, CONCESSION = "1m", "1k", "0.01%"
# No deal may lose more than this share of its list price to the run's 0.01% concessions.
MAX_SHARE_CONCEDED = 0.5
# Default spread: about this many concessions per deal. Every command loads and judges the deal's whole
# ledger, so a few deals with hundreds of entries each would measure ledger length, not the ack path.
CONCESSIONS_PER_DEAL = 25
MIN_DEALS = 8

Deal = tuple[str, str]  # (name, owner's user id)


# ----- requests ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    command: str  # "status" or "concede"
    user: str
    text: str


@dataclass
class Sample:
    command: str
    ok: bool
    ms: float
    error: str = ""


@dataclass
class Phase:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0


def judge_sample(job: Job, status: int, payload: bytes, ms: float) -> Sample:
    """OK only for HTTP 200 whose reply carries a verdict word: the command was committed and judged."""
    if status != 200:
        return Sample(job.command, False, ms, f"HTTP {status}")
    try:
        text = str(json.loads(payload).get("text") or "")
    except (ValueError, AttributeError):
        return Sample(job.command, False, ms, "body is not a JSON object")
    if not VERDICT.search(text):
        # Error replies say what was wrong and never use a verdict word in capitals (PRODUCT.md section 3).
        return Sample(job.command, False, ms, "no verdict: " + text[:120])
    return Sample(job.command, True, ms)


def run_phase(jobs: list[Job], concurrency: int, make_client: Callable[[], Client]) -> Phase:
    """Every job once; `concurrency` threads take the next job as soon as their last one is answered."""
    phase = Phase()
    lock = threading.Lock()
    position = iter(range(len(jobs)))

    def worker() -> None:
        client = make_client()
        mine: list[Sample] = []
        try:
            while True:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                job = jobs[index]
                started = time.perf_counter()
                try:
                    status, payload, ms = client.send(job.user, job.text)
                except Exception as exc:  # noqa: BLE001 - a failed request is a counted error
                    ms = (time.perf_counter() - started) * 1000
                    mine.append(Sample(job.command, False, ms, f"{type(exc).__name__}: {exc}"[:120]))
                    continue
                mine.append(judge_sample(job, status, payload, ms))
        finally:
            client.close()
            with lock:
                phase.samples.extend(mine)

    threads = [threading.Thread(target=worker, name=f"bench-{i}", daemon=True) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def jobs_for(command: str, deals: list[Deal], count: int, offset: int = 0) -> list[Job]:
    """`count` requests of one command, round-robin over the deals, each sent by the deal's owner."""
    jobs = []
    for i in range(count):
        name, owner = deals[(offset + i) % len(deals)]
        text = f"status {name}" if command == "status" else f"concede {name} {CONCESSION} for x"
        jobs.append(Job(command, owner, text))
    return jobs


def mixed(deals: list[Deal], count: int, offset: int = 0) -> list[Job]:
    """status, concede, status, concede, ...: `count` of each."""
    status, concede = jobs_for("status", deals, count, offset), jobs_for("concede", deals, count, offset)
    return [job for pair in zip(status, concede, strict=True) for job in pair]


# ----- statistics and output --------------------------------------------------------------------------------


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[max(1, math.ceil(p / 100 * len(sorted_ms))) - 1]


def summarise(database: str, command: str, samples: list[Sample], seconds: float) -> dict[str, Any]:
    # Percentiles cover every request, failed ones included: a failure is an answer the user waited for.
    latencies = sorted(s.ms for s in samples)
    return {
        "database": database,
        "command": command,
        "requests": len(samples),
        "errors": sum(1 for s in samples if not s.ok),
        "rps": len(samples) / seconds if seconds else float("nan"),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else float("nan"),
    }


COLUMNS = (  # key, title, alignment, format
    ("database", "database", "<", "{}"),
    ("command", "command", "<", "{}"),
    ("requests", "requests", ">", "{}"),
    ("errors", "errors", ">", "{}"),
    ("rps", "req/s", ">", "{:.1f}"),
    ("p50", "p50 ms", ">", "{:.1f}"),
    ("p95", "p95 ms", ">", "{:.1f}"),
    ("p99", "p99 ms", ">", "{:.1f}"),
    ("max", "max ms", ">", "{:.1f}"),
)


def table(rows: list[dict[str, Any]]) -> str:
    cells = [[title for _, title, _, _ in COLUMNS]]
    cells += [[fmt.format(row[key]) for key, _, _, fmt in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(f"{value:{COLUMNS[i][2]}{widths[i]}}" for i, value in enumerate(line)).rstrip()
             for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# ----- one database -----------------------------------------------------------------------------------------


def bench_database(kind: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[str]]:
    notes: list[str] = []
    secret = secrets.token_hex(16)
    signer = RequestSigner(secret)
    standin = SlackStandIn(team_id=TEAM)
    base_url = standin.start()
    standin.set_channel(CHANNEL, name="deals")
    response_url = standin.response_url("bench")
    with tempfile.TemporaryDirectory(prefix=f"dealcoach-bench-{kind}-") as tmp:
        workdir = Path(tmp)
        database = Database(kind, workdir, args.postgres_url)
        server: Server | None = None
        try:
            env = server_env(PORT=str(free_port()), DATABASE_URL=database.create(), SLACK_SIGNING_SECRET=secret,
                             SLACK_BOT_TOKEN=standin.token, SLACK_API_URL=base_url, DEALCOACH_MANAGERS=MANAGER)
            server = Server(env, workdir, int(env["PORT"]))
            ready = server.wait_healthy(args.startup_timeout)
            log(f"{kind}: serve answered /healthz after {ready:.1f} s (migrations included)")

            port = server.port

            def make_client() -> Client:
                return Client(port, signer, response_url)

            deals = open_deals(make_client(), args.deals)
            log(f"{kind}: opened {len(deals)} deals; warm-up of {args.warmup} requests")
            warm = run_phase(mixed(deals, (args.warmup + 1) // 2), args.concurrency, make_client)
            warm_errors = sum(1 for s in warm.samples if not s.ok)
            if warm_errors:
                notes.append(f"{kind}: {warm_errors} of {len(warm.samples)} warm-up requests failed")

            log(f"{kind}: {args.requests} x status + {args.requests} x concede ({args.mode}), "
                f"concurrency {args.concurrency}")
            if args.mode == "mixed":
                phase = run_phase(mixed(deals, args.requests, offset=1), args.concurrency, make_client)
                phases = {"status": phase, "concede": phase}
            else:
                phases = {command: run_phase(jobs_for(command, deals, args.requests, offset=1),
                                             args.concurrency, make_client)
                          for command in ("status", "concede")}
            rows = []
            for command, phase in phases.items():
                mine = [s for s in phase.samples if s.command == command]
                rows.append(summarise(kind, command, mine, phase.seconds))
                for reason, count in Counter(s.error for s in mine if not s.ok).most_common(5):
                    slowest = max(s.ms for s in mine if not s.ok and s.error == reason)
                    notes.append(f"{kind} {command}: {count} x {reason} (slowest {slowest:.0f} ms)")
            if args.mode == "mixed":
                rows.append(summarise(kind, "both", phase.samples, phase.seconds))
            posted = len(standin.calls_to("chat.postMessage"))
            notes.append(f"{kind}: {database.state()}; the stand-in got {posted} chat.postMessage")
        finally:
            if server is not None:
                code = server.stop()
                if code != 0:
                    notes.append(f"{kind}: serve exited with {code} on SIGTERM (expected 0)")
                for problem, count in server.problems().most_common(8):
                    notes.append(f"{kind} serve log: {count} x {problem}")
                if args.keep_logs:
                    kept = Path(args.keep_logs) / f"serve-{kind}.log"
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    kept.write_bytes(server.log_path.read_bytes())
                    notes.append(f"{kind}: server log kept at {kept}")
            database.drop()
            standin.stop()
    return rows, notes


def open_deals(client: Client, count: int) -> list[Deal]:
    """`bench-1` … `bench-<count>`, each owned by its own rep, list $1m and floor $1k."""
    deals = []
    try:
        for i in range(1, count + 1):
            name, owner = f"bench-{i}", f"U0REP{i:03d}"
            text = f"new {name} list={LIST_PRICE} floor={FLOOR} customer=Bench"
            status, payload, _ = client.send(owner, text)
            text = str(json.loads(payload).get("text") or "") if status == 200 else ""
            if not VERDICT.search(text):
                raise RuntimeError(f"/deal new {name} failed: HTTP {status} {payload[:300]!r}")
            deals.append((name, owner))
    finally:
        client.close()
    return deals


# ----- main -------------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000,
                        help="measured requests per command (default 1000)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="client threads, one keep-alive connection each (default 8)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both",
                        help="a temporary SQLite file, a temporary PostgreSQL database, or both (default)")
    parser.add_argument("--warmup", type=int, default=100,
                        help="requests sent first and discarded, half each (default 100)")
    parser.add_argument("--deals", type=int, default=None,
                        help=f"deals the requests are spread over (default: about {CONCESSIONS_PER_DEAL} "
                             f"concessions per deal, at least {MIN_DEALS})")
    parser.add_argument("--mode", choices=("mixed", "separate"), default="mixed",
                        help="mixed (default): status and concede interleaved in one phase; "
                             "separate: one phase each")
    parser.add_argument("--postgres-url", default=os.environ.get(PG_ENV, DEFAULT_PG_URL),
                        help=f"server and admin database the temporary database is created on "
                             f"(default ${PG_ENV}, else {DEFAULT_PG_URL})")
    parser.add_argument("--startup-timeout", type=float, default=60.0,
                        help="seconds to wait for GET /healthz (default 60)")
    parser.add_argument("--keep-logs", metavar="DIR", help="copy the server's log here (e.g. bench/results)")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.deals or 1) < 1 or args.warmup < 0:
        parser.error("--requests, --concurrency and --deals must be at least 1, --warmup at least 0")
    concessions = args.requests + (args.warmup + 1) // 2
    if args.deals is None:
        args.deals = max(MIN_DEALS, math.ceil(concessions / CONCESSIONS_PER_DEAL))
    # Every concession takes 0.01% of list: keep each deal's effective price well above zero.
    if math.ceil(concessions / args.deals) * 0.0001 > MAX_SHARE_CONCEDED:
        args.deals = math.ceil(concessions * 0.0001 / MAX_SHARE_CONCEDED)
        log(f"raised --deals to {args.deals} so no deal loses more than half its list price")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds:
        check_postgres(args.postgres_url)
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for kind in kinds:
        kind_rows, kind_notes = bench_database(kind, args)
        rows += kind_rows
        notes += kind_notes

    workers = os.environ.get("DEALCOACH_WEB_WORKERS", "2")
    threads = os.environ.get("DEALCOACH_WEB_THREADS", "4")
    print()
    print("command: " + shlex.join([sys.executable, sys.argv[0], *argv]))
    print(f"settings: {args.requests} requests per command after {args.warmup} warm-up, concurrency "
          f"{args.concurrency}, {args.deals} deals, mode {args.mode}; "
          f"serve: gunicorn gthread, {workers} workers x {threads} threads")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    print()
    print(table(rows))
    print()
    for row in rows:
        if row["command"] in ("status", "concede"):
            met = "met" if row["p95"] < TARGET_P95_MS and row["errors"] == 0 else "NOT met"
            print(f"target p95 < {TARGET_P95_MS:.0f} ms and no errors, {row['database']} "
                  f"/deal {row['command']}: {met} (p95 {row['p95']:.1f} ms, {row['errors']} errors)")
    if notes:
        print()
        for note in notes:
            print("note: " + note)
    print(f"\nfinished in {time.monotonic() - started:.1f} s")
    return 1 if any(row["errors"] for row in rows) else 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        log("interrupted")
        raise SystemExit(130) from None
