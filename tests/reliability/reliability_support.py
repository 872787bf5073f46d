"""Helpers shared by the reliability tests: what the database holds, what was logged, raw signed posts.

Kept out of a `conftest.py` on purpose: the shared fixtures and constants live in `tests/conftest.py`, and a
second module named `conftest` would shadow it for `from conftest import ...`."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import SQLModel

import bot.db.tables  # noqa: F401  (registers every table on SQLModel.metadata)

# What a request can change; `slack_event` and `channel` are left out where a test says so.
STATE_TABLES = ("workspace", "deal", "ledger_entry", "decision", "outbox", "sent_once")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Loggers whose ERROR records mean our code (or Bolt running our listeners) failed on a request.
OUR_LOGGERS = ("bot", "slack_bolt")


def row_counts(container: Any, tables: Iterable[str] | None = None) -> dict[str, int]:
    """Rows per table; every table of the app unless `tables` names some."""
    names = list(tables) if tables is not None else sorted(SQLModel.metadata.tables)
    with container.engine.connect() as connection:
        return {name: int(connection.execute(select(func.count()).select_from(
            SQLModel.metadata.tables[name])).scalar_one()) for name in names}


def snapshot(container: Any, tables: Iterable[str] = STATE_TABLES) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every state table, so anything a request touched shows up."""
    with container.engine.connect() as connection:
        return {table: sorted((tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))), key=repr)
                for table in tables}


def failures_logged(records: Iterable[logging.LogRecord]) -> list[str]:
    """ERROR (and worse) records from our code or from Bolt running it, formatted for an assertion message."""
    return [f"{r.name}: {r.getMessage()}" + (f" [{r.exc_info[1]!r}]" if r.exc_info else "")
            for r in records
            if r.levelno >= logging.ERROR and r.name.split(".")[0] in OUR_LOGGERS]


def is_error_reply(body: dict[str, Any]) -> bool:
    """The ephemeral ":warning:" sentence every refused `/deal` command gets, as its first block (a reply that
    succeeded may carry a warning further down: a deal won below its floor)."""
    blocks = body.get("blocks") or [{}]
    first = blocks[0].get("text") or {}
    return isinstance(first, dict) and str(first.get("text", "")).startswith(":warning: ")


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's `v0` signature over raw bytes (the test client signs text; some bodies here are not)."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": f"v0={digest}"}


def post_raw(server: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POSTs bytes to /slack/events as they are; answers (status, body) whatever the status."""
    request = urllib.request.Request(f"{server}/slack/events", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
