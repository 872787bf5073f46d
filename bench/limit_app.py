"""The limit for `bench/serve_load.py`: a bare Bolt app whose `/deal` listener makes one durable insert and acks.

It runs under gunicorn with the same settings as `dealcoach serve` (gthread, `DEALCOACH_WEB_WORKERS` x
`DEALCOACH_WEB_THREADS`, default 2 x 4, keep-alive 5 s), checks Slack's signature with the same signing secret
(`process_before_response=True`, request verification on), and answers `POST /slack/events` and
`GET /healthz`. Each `/deal` command inserts one row into `limit_entry` in its own committed transaction:

- SQLite (WAL, `synchronous=NORMAL`): one connection per thread; writers of one process queue on a lock and
  take the write lock with `BEGIN IMMEDIATE`, polled every millisecond or so, as the app does;
- PostgreSQL: one connection per thread, one INSERT and COMMIT (`synchronous_commit` as the server has it).

The reply mimics the app's concession reply (its headline and a rendered verdict), so the benchmark counts
both with the same check. `LIMIT_MODE=ack` skips the insert (bare Bolt, the ack alone).

    DATABASE_URL=sqlite:////tmp/limit.db SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=xoxb-… PORT=3001 \\
        python bench/limit_app.py
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.serve import gunicorn_options  # the same gunicorn settings as `dealcoach serve`

SLACK_PATH = "/slack/events"
TABLE_SQLITE = """CREATE TABLE IF NOT EXISTS limit_entry (
    id INTEGER PRIMARY KEY, team_id VARCHAR(32) NOT NULL, by_user VARCHAR(32) NOT NULL,
    channel_id VARCHAR(32) NOT NULL, text TEXT NOT NULL, at TIMESTAMP NOT NULL)"""
TABLE_POSTGRES = """CREATE TABLE IF NOT EXISTS limit_entry (
    id BIGSERIAL PRIMARY KEY, team_id VARCHAR(32) NOT NULL, by_user VARCHAR(32) NOT NULL,
    channel_id VARCHAR(32) NOT NULL, text TEXT NOT NULL, at TIMESTAMPTZ NOT NULL)"""
INSERT = "INSERT INTO limit_entry (team_id, by_user, channel_id, text, at) VALUES ({0}, {0}, {0}, {0}, {1})"
LOCK_TIMEOUT_S = 2.5


class SqliteStore:
    """One connection per thread; one write transaction at a time per process."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()

    def create(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(TABLE_SQLITE)
        connection.close()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=0")
            self._local.connection = connection
        return connection

    def insert(self, team: str, user: str, channel: str, text: str) -> None:
        connection = self._connection()
        with self._write_lock:
            _begin_immediate(connection)
            try:
                connection.execute(INSERT.format("?", "datetime('now')"), (team, user, channel, text))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def ping(self) -> None:
        self._connection().execute("SELECT 1").fetchone()


def _begin_immediate(connection: sqlite3.Connection) -> None:
    """The write lock, polled every millisecond or so (SQLite's busy handler sleeps in growing steps)."""
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.0005 + random.random() * 0.001)


class PostgresStore:
    """One connection per thread."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._local = threading.local()

    def create(self) -> None:
        import psycopg

        with psycopg.connect(self._dsn, autocommit=True) as connection:
            connection.execute(TABLE_POSTGRES)

    def _connection(self) -> Any:
        import psycopg

        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed:
            connection = psycopg.connect(self._dsn)
            self._local.connection = connection
        return connection

    def insert(self, team: str, user: str, channel: str, text: str) -> None:
        connection = self._connection()
        try:
            connection.execute(INSERT.format("%s", "now()"), (team, user, channel, text))
            connection.commit()
        except BaseException:
            connection.rollback()
            raise

    def ping(self) -> None:
        connection = self._connection()
        connection.execute("SELECT 1").fetchone()
        connection.rollback()


def store_for(url: str) -> SqliteStore | PostgresStore:
    """`sqlite:///path` or `postgresql[+psycopg]://…` (DATABASE_URL as the app takes it)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///"):])
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql://" + url[len(prefix):]
    if not url.startswith("postgresql://"):
        raise SystemExit(f"limit_app: unsupported DATABASE_URL {url!r}")
    return PostgresStore(url)


def reply(deal: str) -> dict[str, Any]:
    """Shaped like the app's concession reply: the headline and the rendered verdict."""
    return {
        "response_type": "ephemeral",
        "text": f"{deal}: OK",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Logged your concession on *{deal}*."}},
            {"type": "section", "text": {"type": "mrkdwn", "text": ":large_green_circle: Verdict: *OK*"}},
        ],
    }


def build_app(store: SqliteStore | PostgresStore | None, *, secret: str, token: str, api_url: str) -> App:
    """`store` None: the ack alone (bare Bolt)."""
    client = WebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/")
    app = App(client=client, signing_secret=secret, process_before_response=True,
              token_verification_enabled=False, request_verification_enabled=True)

    @app.command("/deal")
    def deal(ack: Ack, body: dict[str, Any]) -> None:
        text = str(body.get("text") or "")
        words = text.split()
        if store is not None:
            store.insert(str(body.get("team_id")), str(body.get("user_id")), str(body.get("channel_id")), text)
        ack(**reply(words[1] if len(words) > 1 else "limit"))

    return app


class LimitWSGI:
    def __init__(self, slack: SlackRequestHandler, store: SqliteStore | PostgresStore) -> None:
        self._slack, self._store = slack, store

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == SLACK_PATH and method == "POST":
            return self._slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            self._store.ping()
            return _json(start_response, "200 OK", {"status": "ok"})
        return _json(start_response, "404 Not Found", {"error": "not found"})


def _json(start_response: Callable, status: str, body: dict) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class _Gunicorn(BaseApplication):
    """The options `dealcoach serve` passes (bot/serve.py); the app is built in each worker after the fork."""

    def __init__(self, load: Callable[[], LimitWSGI], options: dict[str, Any]) -> None:
        self._load, self._options = load, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> LimitWSGI:
        return self._load()


def main() -> int:
    env = os.environ
    store = store_for(env["DATABASE_URL"])
    store.create()
    bare = env.get("LIMIT_MODE", "insert") == "ack"

    def load() -> LimitWSGI:
        app = build_app(None if bare else store, secret=env["SLACK_SIGNING_SECRET"],
                        token=env.get("SLACK_BOT_TOKEN", "xoxb-limit"),
                        api_url=env.get("SLACK_API_URL", "https://slack.com/api/"))
        return LimitWSGI(SlackRequestHandler(app, path=SLACK_PATH), store)

    options = gunicorn_options(env.get("PORT", "3000"), int(env.get("DEALCOACH_WEB_WORKERS", "2")),
                               int(env.get("DEALCOACH_WEB_THREADS", "4")))
    print(f"limit_app: {'ack only' if bare else 'one insert per /deal'} on port {env.get('PORT')}", file=sys.stderr)
    _Gunicorn(load, options).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
