"""What the benchmarks share: temporary databases, server processes, and a client that signs like Slack.

`Database` is a fresh SQLite file or a fresh PostgreSQL database (created, then dropped). `Server` runs a
command (`python -m bot serve`, or `bench/limit_app.py`) in its own process group with its output in a
log file and waits for `GET /healthz`. `Client` posts signed `/deal` commands over one keep-alive
connection. Used by ack_latency.py, serve_load.py, growth.py and scale.py; not a benchmark itself.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.standin.requests import RequestSigner, command_body  # noqa: E402 - after the path set-up above

TEAM = "T0BENCH"
CHANNEL = "C0DEALS"
MANAGER = "U0MANAGER"
FORM = "application/x-www-form-urlencoded"
SLACK_PATH = "/slack/events"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_ENV = "DEALCOACH_BENCH_POSTGRES_URL"
# Inherited from the caller's shell these would change what is measured (the LLM coach, alert routing).
SCRUBBED_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DEALCOACH_ALERT_CHANNEL", "SLACK_APP_TOKEN")
VERDICT = re.compile(r"\b(OK|PUSH BACK|ESCALATE|WALK AWAY)\b")


def log(message: str) -> None:
    sys.stdout.flush()
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_main(main: Callable[[], int]) -> None:
    """Exits with what a benchmark's main() returns; Ctrl-C ends it quietly (its cleanups have run)."""
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        log("interrupted")
        raise SystemExit(130) from None


# ----- databases --------------------------------------------------------------------------------------------


class Database:
    """A fresh, empty database for one run: a temporary SQLite file or a new PostgreSQL database."""

    def __init__(self, kind: str, workdir: Path, pg_admin_url: str, label: str = "") -> None:
        self.kind, self._workdir, self._pg_admin_url = kind, workdir, pg_admin_url
        self._label = label
        self.url = ""
        self._pg_name: str | None = None

    def create(self) -> str:
        suffix = f"-{self._label}" if self._label else ""
        if self.kind == "sqlite":
            self.url = f"sqlite:///{self._workdir / f'dealcoach-bench{suffix}.db'}"
            return self.url
        from sqlalchemy.engine import make_url

        from bot.db.engine import normalise_url

        name = f"dealcoach_bench{suffix.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
        admin(self._pg_admin_url, f'CREATE DATABASE "{name}"')
        self._pg_name = name
        self.url = make_url(normalise_url(self._pg_admin_url)).set(database=name).render_as_string(
            hide_password=False)
        return self.url

    @property
    def server_name(self) -> str | None:
        """The PostgreSQL database's name (its backends' process titles show it); None on SQLite."""
        return self._pg_name

    def drop(self) -> None:
        if self._pg_name is not None:
            admin(self._pg_admin_url, f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            log(f"dropped PostgreSQL database {self._pg_name}")
            self._pg_name = None

    def scalars(self, *statements: str) -> list[Any]:
        """Each statement's rows, in one short-lived connection."""
        from sqlalchemy import text

        from bot.db.engine import make_engine

        engine = make_engine(self.url)
        try:
            with engine.connect() as connection:
                return [connection.execute(text(statement)).all() for statement in statements]
        finally:
            engine.dispose()

    def analyze(self) -> None:
        """Gathers the planner's statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) keeps
        them on a database in use. A database created a minute ago has none yet: PostgreSQL then guesses
        row counts and picked, for the deal read, a scan of the team's deals over the primary key."""
        from sqlalchemy import text

        from bot.db.engine import make_engine

        engine = make_engine(self.url)
        try:
            with engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()
        finally:
            engine.dispose()

    def count(self, statement: str) -> int:
        return int(self.scalars(statement)[0][0][0])

    def figures_disagree(self) -> list[str]:
        """The deals whose running figures (columns of the deal row, as the servers wrote them) differ from their
        ledger summed again: a server that kept them wrong would be measured doing less than the app must."""
        from sqlalchemy import select

        from bot.db import mapping
        from bot.db.engine import make_engine
        from bot.db.tables import DealRow, LedgerEntryRow, table_of
        from bot.domain.tally import Tally

        deal, entry = table_of(DealRow), table_of(LedgerEntryRow)
        engine = make_engine(self.url)
        try:
            with engine.connect() as connection:
                ledgers: dict[int, list[Any]] = {}
                for row in connection.execute(select(entry).order_by(entry.c.deal_id, entry.c.seq)):
                    ledgers.setdefault(row.deal_id, []).append(mapping.entry_from_row(row))
                return [row.name for row in connection.execute(select(deal))
                        if mapping.tally_from_row(row) != Tally.of(ledgers.get(row.id, []))]
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


def admin(admin_url: str, statement: str) -> None:
    """One statement on the PostgreSQL server's admin database, outside a transaction."""
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
        admin(admin_url, "SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means the same here
        raise SystemExit(f"PostgreSQL is not reachable at {admin_url} ({type(exc).__name__}); "
                         f"set {PG_ENV} or --postgres-url, or use --database sqlite") from None


# ----- server processes -------------------------------------------------------------------------------------

SERVE = (sys.executable, "-m", "bot", "serve")


def server_env(**values: str) -> dict[str, str]:
    """The caller's environment without the variables that would change what is measured, the repository
    on PYTHONPATH, and `values` (PORT, DATABASE_URL, SLACK_…)."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env.update(values)
    return env


class Server:
    """A server command in its own process group, its output in a log file. Its working directory is the
    run's temporary directory, so a developer's `.env` in the repository is not read."""

    def __init__(self, env: dict[str, str], workdir: Path, port: int, *,
                 argv: tuple[str, ...] = SERVE, name: str = "serve") -> None:
        self.port, self.name = port, name
        self.log_path = workdir / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            list(argv), cwd=workdir, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() < started + timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
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
        raise RuntimeError(f"GET /healthz on {self.name} did not answer 200 within {timeout:.0f} s:\n{self.tail()}")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM to gunicorn's master: workers finish their requests and stop their outbox workers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop after SIGTERM; killing its process group")
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


# ----- CPU by process ---------------------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(server: Server, database: str | None = None) -> tuple[float, float]:
    """CPU seconds used so far (user and system) by the server's processes (its process group) and, when
    `database` names a PostgreSQL database, by the PostgreSQL backends connected to it. Linux's /proc; a process
    that exited meanwhile is not counted, so take both readings while the server runs."""
    own = backends = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            used = (int(fields[11]) + int(fields[12])) / _TICKS
            if int(fields[2]) == server.process.pid:  # the process group gunicorn's master leads
                own += used
            elif database is not None:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if f" {database} ".encode() in cmdline.read().replace(b"\0", b" ") + b" ":
                        backends += used
        except (OSError, IndexError, ValueError):
            continue  # the process ended while being read
    return own, backends


# ----- a client that signs like Slack -----------------------------------------------------------------------


class Client:
    """Signs like Slack and posts `/deal` over one keep-alive connection."""

    def __init__(self, port: int, signer: RequestSigner, response_url: str, *, team: str = TEAM,
                 channel: str = CHANNEL) -> None:
        self._port, self._signer, self._response_url = port, signer, response_url
        self._team, self._channel = team, channel
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def connect(self) -> None:
        """Opens the connection now (Slack's are pooled: connecting is not part of an acknowledgement)."""
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
            try:
                self._conn.connect()
            except OSError:
                self.close()
                raise

    def send(self, user: str, text: str, *, response_url: str | None = None) -> tuple[int, bytes, float]:
        """(HTTP status, body, ms from sending the request to reading the whole response).

        The body and its signature (timestamp of now, as Slack does for each request) are built before
        the clock starts."""
        body = command_body(text, team_id=self._team, user_id=user, channel_id=self._channel,
                            response_url=response_url or self._response_url)
        signed = self._signer.sign(body, content_type=FORM)
        self.connect()
        assert self._conn is not None
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


def reply_text(status: int, payload: bytes) -> str:
    """The acknowledgement's `text`, or "" when it is not a 200 with a JSON object."""
    if status != 200:
        return ""
    try:
        return str(json.loads(payload).get("text") or "")
    except (ValueError, AttributeError):
        return ""
