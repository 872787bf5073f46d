"""CPU time one request costs the app, with no HTTP server, no load generator and no other process in the way.

`serve_load.py` measures what users see, but on a machine shared by wrk, two gunicorn workers, the database
and the Slack stand-in its figures move by half from run to run. This calls each WSGI app directly, one signed
request after another in one thread, and reads the process's CPU time: what a request costs our code (Bolt's
dispatch included, gunicorn's HTTP parsing not), steady to a few percent. Both sides, as in serve_load: the
limit (`limit_app.py`: Bolt and one durable insert) and `dealcoach` (built as `serve` builds each worker, its
WAL checkpointer started, the outbox worker not), on a fresh SQLite file and a fresh PostgreSQL database. The
concede runs spread over `--deals` deals with `--entries` concessions each already, so the ledgers grow as in
serve_load. Each request's wall-clock time too: with nothing else running, its tail is what a request waits for
besides CPU, such as an SQLite checkpoint in its commit (`--no-checkpointer` leaves those to the commits).

    python bench/request_cpu.py [--requests 2000] [--rounds 3] [--database sqlite|postgresql|both] [--no-checkpointer]
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limit_app import SLACK_PATH, LimitWSGI, store_for
from limit_app import build_app as build_limit
from servers import CHANNEL, DEFAULT_PG_URL, PG_ENV, TEAM, Database, check_postgres, log
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.bootstrap import build
from bot.config import Settings
from bot.db.migrate import upgrade
from bot.standin.requests import RequestSigner, command_body
from bot.standin.webapi import SlackStandIn
from bot.web import make_wsgi

SECRET = "request-cpu-bench-secret"
REP = "U0REP"
WSGI = Callable[[dict[str, Any], Callable], Any]


def caller(app: WSGI, signer: RequestSigner) -> Callable[[str], bytes]:
    """Sends one signed `/deal <text>` to the WSGI app as gunicorn would; raises unless it answers 200."""

    def call(text: str) -> bytes:
        body = command_body(text, team_id=TEAM, user_id=REP, channel_id=CHANNEL)
        signed = signer.sign(body, content_type="application/x-www-form-urlencoded")
        raw = body.encode()
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": SLACK_PATH, "QUERY_STRING": "",
                   "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw),
                   "CONTENT_TYPE": signed.headers["content-type"]}
        for name, value in signed.headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        answered: list[str] = []
        reply = b"".join(app(environ, lambda status, _headers: answered.append(status)))
        if not answered or not answered[0].startswith("200") or b"Verdict" not in reply:
            raise SystemExit(f"/deal {text} answered {answered} {reply[:200]!r}")
        return reply

    return call


def cpu_ms(call: Callable[[str], bytes], texts: list[str], requests: int, walls: list[float] | None = None) -> float:
    """CPU milliseconds per request over `requests` calls cycling through `texts`; each call's wall-clock
    milliseconds appended to `walls` if given."""
    cycle = itertools.cycle(texts)
    started = time.process_time()
    for _ in range(requests):
        begun = time.perf_counter()
        call(next(cycle))
        if walls is not None:
            walls.append(1000 * (time.perf_counter() - begun))
    return 1000 * (time.process_time() - started) / requests


@dataclass(frozen=True)
class Measured:
    """One command's CPU ms per request in each round, and every request's wall-clock ms."""

    cpu: list[float]
    walls: list[float]

    def tail(self) -> str:
        """Wall-clock p50, p99, p99.9 and the slowest: what a request waits for that is not CPU (a checkpoint)."""
        walls = sorted(self.walls)
        at = [walls[min(len(walls) - 1, int(len(walls) * share))] for share in (0.5, 0.99, 0.999)]
        return " / ".join(f"{ms:.2f}" for ms in (*at, walls[-1]))


def measure_dealcoach(url: str, standin_url: str, args: argparse.Namespace) -> dict[str, Measured]:
    upgrade(url)
    settings = Settings(_env_file=None, DATABASE_URL=url, SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
                        SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=standin_url)
    container = build(settings)
    if container.checkpointer is not None and args.checkpointer:
        container.checkpointer.start()  # as `serve` does in every worker (the outbox worker stays off)
    try:
        call = caller(make_wsgi(container), RequestSigner(SECRET))
        names = [f"cpu{i}" for i in range(args.deals)]
        for name in names:
            call(f"new {name} list=1m floor=1k customer=Bench")
        for name in names * args.entries:
            call(f"concede {name} 0.01% for x")
        status = [f"status {name}" for name in names]
        concede = [f"concede {name} 0.01% for x" for name in names]
        cpu_ms(call, status + concede, 200)  # warm: statement caches, imports
        measured = {}
        for command, texts in (("status", status), ("concede", concede)):
            walls: list[float] = []
            measured[command] = Measured([cpu_ms(call, texts, args.requests, walls) for _ in range(args.rounds)],
                                         walls)
        return measured
    finally:
        container.close()


def measure_limit(url: str, standin_url: str, args: argparse.Namespace) -> Measured:
    store = store_for(url)
    store.create()
    app = build_limit(store, secret=SECRET, token="xoxb-test", api_url=standin_url)
    call = caller(LimitWSGI(SlackRequestHandler(app, path=SLACK_PATH), store), RequestSigner(SECRET))
    texts = ["concede limit 0.01% for x"]
    cpu_ms(call, texts, 200)
    walls: list[float] = []
    return Measured([cpu_ms(call, texts, args.requests, walls) for _ in range(args.rounds)], walls)


def run(kind: str, args: argparse.Namespace, workdir: Path, standin_url: str) -> list[str]:
    app_db, limit_db = (Database(kind, workdir, args.postgres_url, label) for label in ("cpu-app", "cpu-limit"))
    try:
        limit = measure_limit(limit_db.create(), standin_url, args)
        ours = measure_dealcoach(app_db.create(), standin_url, args)
    finally:
        app_db.drop()
        limit_db.drop()
    rows = [f"| {kind} | limit: Bolt + 1 insert | concede | {_ms(limit.cpu)} | | {limit.tail()} |"]
    for command, measured in ours.items():
        rows.append(f"| {kind} | dealcoach | {command} | {_ms(measured.cpu)} | "
                    f"{statistics.median(limit.cpu) / statistics.median(measured.cpu):.2f} | {measured.tail()} |")
    return rows


def _ms(figures: list[float]) -> str:
    return f"{statistics.median(figures):.3f} | {min(figures):.3f} | {', '.join(f'{f:.3f}' for f in figures)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="requests per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side and command; the median is shown")
    parser.add_argument("--deals", type=int, default=200, help="deals the commands cycle through (default 200)")
    parser.add_argument("--entries", type=int, default=5, help="concessions on each deal before measuring")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get(PG_ENV, DEFAULT_PG_URL))
    parser.add_argument("--no-checkpointer", dest="checkpointer", action="store_false",
                        help="SQLite: leave WAL checkpoints to the commits, as before the checkpointer")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds:
        check_postgres(args.postgres_url)
    # The least of the rounds too: on a shared machine a neighbour only ever adds to a round's time.
    rows = ["| database | app | command | CPU ms per request (median) | least | each round | limit's CPU / ours "
            "| wall ms p50 / p99 / p99.9 / max |",
            "|---|---|---|---|---|---|---|---|"]
    with SlackStandIn(team_id=TEAM) as standin, tempfile.TemporaryDirectory() as workdir:
        for kind in kinds:
            log(f"{kind}: measuring")
            rows += run(kind, args, Path(workdir), standin.base_url or "")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
