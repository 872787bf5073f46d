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
import http.client
import json
import math
import os
import platform
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.standin.requests import RequestSigner, command_body  # noqa: E402 - after the path set-up above
from bot.standin.webapi import SlackStandIn  # noqa: E402

TEAM = "T0BENCH"
CHANNEL = "C0DEALS"
MANAGER = "U0MANAGER"
FORM = "application/x-www-form-urlencoded"
SLACK_PATH = "/slack/events"
TARGET_P95_MS = 50.0
LIST_PRICE, FLOOR, CONCESSION = "1m", "1k", "0.01%"
# No deal may lose more than this share of its list price to the run's 0.01% concessions.
MAX_SHARE_CONCEDED = 0.5
# Default spread: about this many concessions per deal. Every command loads and judges the deal's whole
# ledger, so a few deals with hundreds of entries each would measure ledger length, not the ack path.
CONCESSIONS_PER_DEAL = 25
MIN_DEALS = 8
VERDICT = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_ENV = "DEALCOACH_BENCH_POSTGRES_URL"
# Inherited from the caller's shell these would change what is measured (the LLM coach, alert routing).
SCRUBBED_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DEALCOACH_ALERT_CHANNEL", "SLACK_APP_TOKEN")

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


class Client:
    """Signs like Slack and posts `/deal` over one keep-alive connection."""

    def __init__(self, port: int, signer: RequestSigner, response_url: str) -> None:
        self._port, self._signer, self._response_url = port, signer, response_url
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, user: str, text: str) -> tuple[int, bytes, float]:
        """(HTTP status, body, ms from sending the request to reading the whole response).

        The body and its signature (timestamp of now, as Slack does for each request) are built before
        the clock starts."""
        body = command_body(text, team_id=TEAM, user_id=user, channel_id=CHANNEL,
                            response_url=self._response_url)
        signed = self._signer.sign(body, content_type=FORM)
        if self._conn is None:  # a new connection is opened before the clock starts, like Slack's pooled ones
            self._conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
            try:
                self._conn.connect()
            except OSError:
                self.close()
                raise
        started = time.perf_counter()
        try:
            self._conn.request("POST", SLACK_PATH, body=signed.body.encode(), headers=signed.headers)
            response = self._conn.getresponse()
            payload = response.read()
        except Exception:
            self.close()
            raise
        elapsed = (time.perf_counter() - started) * 1000
        if response.will_close:
            self.close()
        return response.status, payload, elapsed


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


def log(message: str) -> None:
    sys.stdout.flush()
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ----- databases --------------------------------------------------------------------------------------------


class Database:
    """A fresh, empty database for one run: a temporary SQLite file or a new PostgreSQL database."""

    def __init__(self, kind: str, workdir: Path, pg_admin_url: str) -> None:
        self.kind, self._workdir, self._pg_admin_url = kind, workdir, pg_admin_url
        self.url = ""
        self._pg_name: str | None = None

    def create(self) -> str:
        if self.kind == "sqlite":
            self.url = f"sqlite:///{self._workdir / 'dealcoach-bench.db'}"
            return self.url
        from sqlalchemy.engine import make_url

        from bot.db.engine import normalise_url

        name = f"dealcoach_bench_{uuid.uuid4().hex[:10]}"
        _admin(self._pg_admin_url, f'CREATE DATABASE "{name}"')
        self._pg_name = name
        self.url = make_url(normalise_url(self._pg_admin_url)).set(database=name).render_as_string(
            hide_password=False)
        return self.url

    def drop(self) -> None:
        if self._pg_name is not None:
            _admin(self._pg_admin_url, f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            log(f"dropped PostgreSQL database {self._pg_name}")
            self._pg_name = None

    def scalars(self, *statements: str) -> list[Any]:
        from sqlalchemy import text

        from bot.db.engine import make_engine

        engine = make_engine(self.url)
        try:
            with engine.connect() as connection:
                return [connection.execute(text(statement)).all() for statement in statements]
        finally:
            engine.dispose()

    def state(self) -> str:
        """Ledger length per deal and the outbox's backlog when the run ends."""
        sizes, pending, failed = self.scalars(
            "SELECT count(*) FROM ledger_entry GROUP BY deal_id",
            "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL",
            "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL",
        )
        counts = sorted(int(row[0]) for row in sizes) or [0]
        return (f"ledger entries per deal at the end: {counts[0]}..{counts[-1]}; "
                f"outbox: {pending[0][0]} undelivered, {failed[0][0]} failed")


def _admin(admin_url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    from bot.db.engine import normalise_url

    engine = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def check_postgres(admin_url: str) -> None:
    try:
        _admin(admin_url, "SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means the same here
        raise SystemExit(f"PostgreSQL is not reachable at {admin_url} ({type(exc).__name__}); "
                         f"set {PG_ENV} or --postgres-url, or use --database sqlite") from None


# ----- the server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`python -m bot serve` in its own process group, its output in a log file."""

    def __init__(self, env: dict[str, str], workdir: Path, port: int) -> None:
        self.port = port
        self.log_path = workdir / "serve.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        # cwd is the run's temporary directory, so a developer's `.env` in the repository is not read.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], cwd=workdir, env=env,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_healthy(self, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() < started + timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"dealcoach serve exited with {self.process.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                body = response.read()
                conn.close()
                if response.status == 200 and json.loads(body).get("status") == "ok":
                    return time.monotonic() - started
            except (OSError, http.client.HTTPException, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"GET /healthz did not answer 200 within {timeout:.0f} s:\n{self.tail()}")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM to gunicorn's master: workers finish their requests and stop their outbox workers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                log("serve did not stop after SIGTERM; killing its process group")
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if not self._log.closed:
            self._log.close()
        return self.process.returncode

    def tail(self, lines: int = 30) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def problems(self) -> Counter[str]:
        """WARNING/ERROR lines and tracebacks in the server's output, counted by message (digits blurred)."""
        found: Counter[str] = Counter()
        for line in self.log_path.read_text(errors="replace").splitlines():
            match = re.search(r"\b(WARNING|ERROR|CRITICAL)\b (.*)", line)
            if match:
                found[re.sub(r"\d+", "N", f"{match.group(1)} {match.group(2)}")[:160]] += 1
            elif line.startswith("Traceback"):
                found["Traceback"] += 1
        return found


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
            env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
            env.update({
                "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
                "PORT": str(free_port()),
                "DATABASE_URL": database.create(),
                "SLACK_SIGNING_SECRET": secret,
                "SLACK_BOT_TOKEN": standin.token,
                "SLACK_API_URL": base_url,
                "DEALCOACH_MANAGERS": MANAGER,
            })
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
