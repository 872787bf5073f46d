"""Throughput and acknowledgement latency of `dealcoach serve` under wrk, side by side with the limit.

For SQLite and PostgreSQL in turn: starts `python -m bot serve` as deployed (gunicorn, migrations first) and,
with the same gunicorn settings and signing secret, the limit (`bench/limit_app.py`: bare Bolt, one durable
insert per `/deal`, then the ack). wrk drives signed `/deal status` and `/deal concede <deal> 0.01% for x`
over loopback at each concurrency; each side is measured `--runs` times, interleaved, and the medians are
printed. A concede counts only when its reply says it was logged and carries a verdict, and after every run
the ledger must hold exactly as many new concessions as wrk counted. Then the slow-LLM storm: the server
again with an LLM stand-in answering after 2 s, 50 `/deal coach` at once while wrk sends `/deal status`.

    python bench/serve_load.py [--runs 3] [--duration 10] [--database sqlite|postgresql|both]

Needs wrk (`apt-get install -y wrk`). See bench/README.md. A measurement, not a test: it exits 1 only when a
reply was wrong, a ledger count did not match, or a deal's running figures differ from its ledger summed again.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import storm
import wrk
from load_report import Measured, Outcome, StormRun, report
from servers import (
    CHANNEL,
    DEFAULT_PG_URL,
    MANAGER,
    PG_ENV,
    REPO,
    TEAM,
    VERDICT,
    Client,
    Database,
    Server,
    check_postgres,
    cpu_seconds,
    log,
    reply_text,
    run_main,
    server_env,
)

from bot.domain.model import Verdict
from bot.render.words import HEADLINES
from bot.services.results import MoveKind
from bot.standin.loopback import free_port
from bot.standin.requests import RequestSigner
from bot.standin.webapi import SlackStandIn

LIMIT = (sys.executable, str(REPO / "bench" / "limit_app.py"))
LEAN = (sys.executable, str(REPO / "bench" / "lean_app.py"))
# What wrk looks for in a reply: the rendered verdict (render/words.py verdict_line), and for a concession
# the headline saying it was logged (words.HEADLINES), i.e. committed and judged.
VERDICTS = tuple(f"Verdict: *{verdict.word}*" for verdict in Verdict)
LOGGED = HEADLINES[MoveKind.CONCESSION].split("{")[0].strip()
STATUS_CHECK = wrk.Check(any_of=VERDICTS)
CONCEDE_CHECK = wrk.Check(all_of=(LOGGED,), any_of=VERDICTS)
CONCESSIONS = "SELECT count(*) FROM ledger_entry WHERE kind = 'concession'"
LIMIT_ROWS = "SELECT count(*) FROM limit_entry"
WARMUP_SECONDS = 2


# ----- deals ------------------------------------------------------------------------------------------------

Deal = tuple[str, str]  # (name, owner)


def send_all(port: int, signer: RequestSigner, jobs: list[tuple[str, str]], *, threads: int = 8) -> None:
    """Sends every (user, text) from `threads` keep-alive connections; raises if a reply has no verdict."""
    chunks = [jobs[i::threads] for i in range(threads)]

    def work(chunk: list[tuple[str, str]]) -> None:
        client = Client(port, signer, "")
        try:
            for user, text in chunk:
                status, payload, _ = client.send(user, text)
                if not VERDICT.search(reply_text(status, payload)):
                    raise RuntimeError(f"/deal {text} failed: HTTP {status} {payload[:300]!r}")
        finally:
            client.close()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, chunks))


def new_deals(prefix: str, count: int) -> list[Deal]:
    return [(f"{prefix}-{i}", f"U0{prefix.upper().replace('-', '')}{i:04d}") for i in range(1, count + 1)]


def open_deals(port: int, signer: RequestSigner, deals: list[Deal]) -> None:
    send_all(port, signer, [(owner, f"new {name} list=1m floor=1k customer=Bench") for name, owner in deals])


def commands(deals: list[Deal], verb: str, response_url: str = "") -> list[wrk.Command]:
    suffix = " 0.01% for x" if verb == "concede" else ""
    return [wrk.Command(owner, f"{verb} {name}{suffix}", response_url) for name, owner in deals]


# ----- one database -----------------------------------------------------------------------------------------


class Bench:
    """Both servers on one kind of database, the deals, and every measured run."""

    def __init__(self, kind: str, args: argparse.Namespace, workdir: Path, outcome: Outcome) -> None:
        self.kind, self.args, self.workdir, self.outcome = kind, args, workdir, outcome
        self.secret = secrets.token_hex(16)
        self.signer = RequestSigner(self.secret)
        self.standin = SlackStandIn(team_id=TEAM)
        self.api_url = self.standin.start()
        self.standin.set_channel(CHANNEL, name="deals")
        self.app_db = Database(kind, workdir, args.postgres_url, "app")
        self.limit_db = Database(kind, workdir, args.postgres_url, "limit")
        self.servers: dict[str, Server] = {}

    def env(self, database: Database, **extra: str) -> dict[str, str]:
        return server_env(PORT=str(free_port()), DATABASE_URL=database.url, SLACK_SIGNING_SECRET=self.secret,
                          SLACK_BOT_TOKEN=self.standin.token, SLACK_API_URL=self.api_url,
                          DEALCOACH_MANAGERS=MANAGER, **extra)

    def start(self, name: str, env: dict[str, str], argv: tuple[str, ...] | None = None) -> Server:
        server = Server(env, self.workdir, int(env["PORT"]), name=f"{name}-{self.kind}",
                        **({"argv": argv} if argv else {}))
        self.servers[name] = server
        log(f"{self.kind}: {name} answered /healthz after {server.wait_healthy(self.args.startup_timeout):.1f} s")
        return server

    def stop(self, name: str) -> None:
        server = self.servers.pop(name, None)
        if server is None:
            return
        code = server.stop()
        if code != 0:
            self.outcome.notes.append(f"{self.kind} {name}: exited with {code} on SIGTERM (expected 0)")
        for problem, count in server.problems().most_common(6):
            self.outcome.notes.append(f"{self.kind} {name} log: {count} x {problem}")
        if self.args.keep_logs:
            kept = Path(self.args.keep_logs) / server.log_path.name
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(server.log_path.read_bytes())

    def close(self) -> None:
        for name in list(self.servers):
            self.stop(name)
        self.app_db.drop()
        self.limit_db.drop()
        self.standin.stop()

    def load(self, server: str, deals: list[Deal], verb: str, connections: int, window: float) -> wrk.Result:
        """One wrk run; the requests are signed now, so their timestamps are fresh."""
        requests = wrk.signed_requests(self.signer, commands(deals, verb), team=TEAM, channel=CHANNEL)
        check = STATUS_CHECK if verb == "status" else CONCEDE_CHECK
        return wrk.run(self.servers[server].url, requests, check, connections=connections,
                       threads=self.args.wrk_threads, window=window)

    def measure(self, server: str, deals: list[Deal], verb: str, connections: int, rep: int,
                case: str = "") -> Measured:
        database, rows = (self.limit_db, LIMIT_ROWS) if server in ("limit", "bare") else (self.app_db, CONCESSIONS)
        counting = verb == "concede" and server != "bare"
        before = database.count(rows) if counting else 0
        cpu_before = cpu_seconds(self.servers[server], database.server_name)
        result = self.load(server, deals, verb, connections, self.args.duration)
        cpu_after = cpu_seconds(self.servers[server], database.server_name)
        added = database.count(rows) - before if counting else None
        per_request = [1000 * (after - was) / max(result.requests, 1)
                       for was, after in zip(cpu_before, cpu_after, strict=True)]
        measured = Measured(self.kind, server, verb, connections, rep, result, added, per_request[0],
                            per_request[1] if database.server_name else None, case)
        log(f"{self.kind} {server} {verb}{f' ({case})' if case else ''} c={connections} run {rep + 1}: "
            f"{result.rps:.0f} req/s, "
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, {result.errors} errors"
            + (f", {added} rows for {result.counted} counted" if added is not None else ""))
        return measured

    def run(self, with_bare: bool) -> None:
        args = self.args
        self.app_db.create()
        self.limit_db.create()
        self.start("serve", self.env(self.app_db))
        if args.storm_only:
            self.storm_alone()
            return
        self.start("limit", self.env(self.limit_db), LIMIT)
        if with_bare:
            self.start("bare", self.env(self.limit_db, LIMIT_MODE="ack"), LIMIT)
        if not args.no_lean:
            self.start("lean", self.env(self.app_db), LEAN)  # on the app's database: the deals opened below
        port = self.servers["serve"].port
        status_deals, warm = new_deals("s", args.status_deals), new_deals("w", 100)
        open_deals(port, self.signer, status_deals + warm)
        seeds = [(owner, f"concede {name} 0.01% for x") for name, owner in status_deals] * args.status_entries
        send_all(port, self.signer, seeds)
        log(f"{self.kind}: opened {len(status_deals) + len(warm)} deals; warm-up")
        lean_warm = new_deals("fw", 100) if "lean" in self.servers else []
        open_deals(port, self.signer, lean_warm)
        for server in self.servers:
            verb = "status" if server == "serve" else "concede"
            deals = status_deals if server == "serve" else lean_warm if server == "lean" else warm
            self.load(server, deals, verb, 8, WARMUP_SECONDS)
        estimate = self.load("serve", warm, "concede", 8, WARMUP_SECONDS).rps
        batches = self.concede_batches(estimate, "c")
        leans = self.concede_batches(2 * estimate, "f") if "lean" in self.servers else {}
        log(f"{self.kind}: opening {sum(map(len, [*batches.values(), *leans.values()]))} deals for the concede runs "
            f"({len(next(iter(batches.values())))} per run)")
        open_deals(port, self.signer, [deal for batch in [*batches.values(), *leans.values()] for deal in batch])
        for database in (self.app_db, self.limit_db):
            database.analyze()
        for rep in range(args.runs):
            for connections in args.concurrency:
                plan = [("limit", warm, "concede"), ("serve", status_deals, "status"),
                        ("serve", batches[rep, connections], "concede")]
                if with_bare:
                    plan.append(("bare", warm, "concede"))
                if leans:
                    plan.append(("lean", leans[rep, connections], "concede"))
                shift = rep % len(plan)  # rotate the order, so no side always runs first
                for server, deals, verb in plan[shift:] + plan[:shift]:
                    self.outcome.measured.append(self.measure(server, deals, verb, connections, rep))
        self.outcome.notes.append(f"{self.kind}: {self.app_db.state()}; the Slack stand-in got "
                                  f"{len(self.standin.calls_to('chat.postMessage'))} chat.postMessage")
        wrong = self.app_db.figures_disagree()
        if wrong:
            self.outcome.wrong.append(f"{self.kind}: the running figures of {len(wrong)} deals differ from their "
                                      f"ledgers summed again, e.g. {', '.join(wrong[:5])}")
        else:
            self.outcome.notes.append(f"{self.kind}: every deal's running figures equal its ledger summed again")
        for name in ("serve", "limit", "bare", "lean"):
            self.stop(name)
        if not args.no_storm:
            self.storms(status_deals)

    def storm_alone(self) -> None:
        """`--storm-only`: the status deals, as in a full run, then the storms and nothing else."""
        port = self.servers["serve"].port
        status_deals = new_deals("s", self.args.status_deals)
        open_deals(port, self.signer, status_deals)
        send_all(port, self.signer, [(owner, f"concede {name} 0.01% for x") for name, owner in status_deals]
                 * self.args.status_entries)
        self.app_db.analyze()
        self.stop("serve")
        self.storms(status_deals)

    def concede_batches(self, estimate: float, prefix: str) -> dict[tuple[int, int], list[Deal]]:
        """Fresh deals for every concede run, enough for about --per-deal concessions each at twice the
        warm-up's rate, so ledgers stay short and every deal stays open and judged."""
        args = self.args
        per_run = max(args.min_deals, math.ceil(2 * estimate * args.duration / args.per_deal))
        per_run = min(per_run, args.max_deals)
        return {(rep, c): new_deals(f"{prefix}{rep}x{c}", per_run) for rep in range(args.runs)
                for c in args.concurrency}

    def storms(self, deals: list[Deal]) -> None:
        """The slow-LLM storm, `--runs` times, on the app's database with an LLM configured."""
        args = self.args
        llm = storm.slow_llm(args.llm_delay)
        receiver = storm.FollowUps(storm.COACH_MARKER)
        try:
            env = self.env(self.app_db, OPENAI_BASE_URL=llm.start(), OPENAI_API_KEY="bench-not-a-real-key")
            receiver_url = receiver.start()
            server = self.start("serve-llm", env)
            before = self.load("serve-llm", deals, "status", 8, args.storm_window)
            for rep in range(args.runs):
                self.outcome.storms.append(self.storm(server, deals, receiver, receiver_url, before, rep))
            self.outcome.notes.append(f"{self.kind} storm: the LLM stand-in got {len(llm.requests)} requests, "
                                      f"at most {llm.most_waiting} at once")
        finally:
            self.stop("serve-llm")
            receiver.stop()
            llm.stop()

    def storm(self, server: Server, deals: list[Deal], receiver: storm.FollowUps, receiver_url: str,
              before: wrk.Result, rep: int) -> StormRun:
        args = self.args
        keys = [f"/coach/{rep}-{i}" for i in range(args.storm_requests)]
        coach = [(deals[i % len(deals)][1], f"coach {deals[i % len(deals)][0]}", receiver_url + key)
                 for i, key in enumerate(keys)]
        requests = wrk.signed_requests(self.signer, commands(deals, "status"), team=TEAM, channel=CHANNEL)
        load = wrk.start(server.url, requests, STATUS_CHECK, connections=8, threads=args.wrk_threads,
                         window=args.storm_window, folder=self.workdir)
        time.sleep(0.5)  # wrk is connected and sending
        released, acks = storm.fire(server.port, self.signer, coach)
        during = wrk.finish(load)
        arrivals = receiver.wait(keys, timeout=max(20.0, 4 * args.llm_delay))
        follow_ups = sorted(at - released for at, from_llm in arrivals.values() if from_llm)
        run = StormRun(self.kind, before, during, acks, follow_ups,
                       sum(1 for _, from_llm in arrivals.values() if not from_llm))
        log(f"{self.kind} storm {rep + 1}: status p99 {during.p99_ms:.1f} ms; {len(follow_ups)} of {len(keys)} "
            f"LLM follow-ups, the last after {max(follow_ups, default=float('nan')):.2f} s")
        return run


# ----- main -------------------------------------------------------------------------------------------------


def shared_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The options every wrk benchmark on `Bench` takes (growth.py's too)."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measured runs per side and setting (default 3)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per run (default 10)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get(PG_ENV, DEFAULT_PG_URL),
                        help=f"server and admin database for the temporary databases (default ${PG_ENV}, "
                             f"else {DEFAULT_PG_URL})")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--startup-timeout", type=float, default=60.0)
    parser.add_argument("--keep-logs", metavar="DIR", help="copy the servers' logs here (e.g. bench/results)")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = shared_arguments(__doc__)
    parser.add_argument("--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[8, 64],
                        help="wrk connections, comma-separated (default 8,64)")
    parser.add_argument("--status-deals", type=int, default=100, help="deals /deal status cycles through")
    parser.add_argument("--status-entries", type=int, default=5,
                        help="concessions (each with a get) on each status deal before the runs (default 5)")
    parser.add_argument("--per-deal", type=int, default=25, help="about this many concessions per deal in a run")
    parser.add_argument("--min-deals", type=int, default=100, help="at least this many deals per concede run")
    parser.add_argument("--max-deals", type=int, default=1500, help="at most this many deals per concede run")
    parser.add_argument("--bare", action="store_true", help="also measure Bolt acking alone (no database)")
    parser.add_argument("--no-storm", action="store_true", help="skip the slow-LLM storm")
    parser.add_argument("--storm-only", action="store_true",
                        help="only the slow-LLM storm (no limit, lean server or runs)")
    parser.add_argument("--no-lean", action="store_true",
                        help="skip the lean server (bench/lean_app.py: the leanest faithful concede)")
    parser.add_argument("--storm-requests", type=int, default=50, help="/deal coach sent at once (default 50)")
    parser.add_argument("--llm-delay", type=float, default=2.0, help="seconds the LLM stand-in takes (default 2)")
    parser.add_argument("--storm-window", type=float, default=6.0, help="seconds of status load around the storm")
    args = parser.parse_args(argv)
    if min(args.runs, args.duration, args.wrk_threads, args.status_deals, args.min_deals, *args.concurrency) < 1:
        parser.error("counts and durations must be at least 1")
    return args


def on_each_database(args: argparse.Namespace, bench: type[Bench], prefix: str) -> Outcome:
    """`bench` run on each database `--database` names, each in its own temporary folder; what they measured."""
    wrk.require_wrk()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds:
        check_postgres(args.postgres_url)
    outcome = Outcome()
    for index, kind in enumerate(kinds):
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-{kind}-") as folder:
            one = bench(kind, args, Path(folder), outcome)
            try:
                one.run(with_bare=getattr(args, "bare", False) and index == 0)
            finally:
                one.close()
    return outcome


Report = Callable[[Outcome, argparse.Namespace, list[str], float], bool]


def bench_main(argv: list[str] | None, parse: Callable[[list[str]], argparse.Namespace], bench: type[Bench],
               prefix: str, report: Report) -> int:
    """Parses the options, runs `bench` on each database and reports: 1 when a reply was wrong, else 0."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    started = time.monotonic()
    outcome = on_each_database(args, bench, prefix)
    return 0 if report(outcome, args, argv, time.monotonic() - started) else 1


def main(argv: list[str] | None = None) -> int:
    return bench_main(argv, parse_args, Bench, "dealcoach-load", report)


if __name__ == "__main__":
    run_main(main)
