"""The lean server for `bench/serve_load.py`: the leanest faithful `/deal concede`, to see what any implementation pays.

The limit (`limit_app.py`) makes one insert per request; a concession must do more, whoever writes it. This app
does for `/deal concede <deal> <percent> for <get>` what Deal Coach must and nothing else: Bolt with the same
gunicorn settings and signature checks; the deal read with its policy, its channel, its running figures, its 50
newest entries and its waiting thread note in one statement (Deal Coach's own read, compiled once by SQLAlchemy);
the entries decoded, the concession and its get made and folded into the figures, the deal judged by Deal Coach's
own domain; the same rows written (the deal's conditional update with its running figures, both entries, the card
refresh, the note merged or queued) and committed; a reply with the headline, the verdict with its reasons and the
figures. It runs on the raw driver (sqlite3, psycopg), with no SQLAlchemy at run time, no repositories, no access
check, no coach, no error handling: a measuring device, on the app's own database (the deals the benchmark opened
through `dealcoach serve`).

    DATABASE_URL=… SLACK_SIGNING_SECRET=… PORT=3002 python bench/lean_app.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import namedtuple
from datetime import UTC, datetime
from typing import Any

from limit_app import LimitWSGI, _begin_immediate, _Gunicorn
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg as postgresql

from bot.db import mapping
from bot.db.deals import LATEST_ENTRIES, _reads
from bot.db.ledger_json import entries_of
from bot.domain.deals import ConcessionSpec, concession_entry, get_entry
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, Deal, Entry, Policy
from bot.domain.rules import judge
from bot.render.blocks import reply, section
from bot.render.replies import figures_text, judgement_blocks
from bot.serve import gunicorn_options

SLACK_PATH = "/slack/events"
_POLICY = "policy_"

# What a concession changes on the deal's row: its price, its running figures and its verdict.
_FIGURES = ("effective_cents", *mapping.TALLY_COLUMNS.values(), "verdict", "updated_at")
# SQLite: each write on its own, in one transaction (positional parameters).
SQLITE_WRITES = {
    "deal": f"UPDATE deal SET {', '.join(f'{c} = ?' for c in _FIGURES)}, version = version + 1 "
            "WHERE id = ? AND version = ?",
    "entry": "INSERT INTO ledger_entry (deal_id, team_id, seq, kind, by_user, at, text, concession_type, worth_cents, "
             "percent_bp, reciprocates, unqualified, ethics_markers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
    "card": "INSERT INTO outbox (team_id, deal_id, kind, channel_id, payload, created_at, due_at, attempts) "
            "SELECT ?, ?, 'card', ?, '{}', ?, ?, 0 WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE team_id = ? "
            "AND kind = 'card' AND deal_id = ? AND delivered_at IS NULL AND failed_at IS NULL "
            "AND claimed_until IS NULL)",
    "merge": "UPDATE outbox SET payload = ? WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL "
             "AND claimed_until IS NULL",
    "note": "INSERT INTO outbox (team_id, deal_id, kind, channel_id, payload, created_at, due_at, attempts) "
            "VALUES (?, ?, 'note', ?, ?, ?, ?, 0)",
}
# PostgreSQL: the same writes as one statement in autocommit, each applying only if the deal's update did.
_ENTRY_ROW = ("SELECT w0.id, %s, %s::int, %s, %s, %s::timestamptz, %s, %s, %s::bigint, %s::int, %s::int, %s, '' "
              "FROM w0")
POSTGRESQL_WRITE = (
    f"WITH w0 AS (UPDATE deal SET {', '.join(f'{c} = %s' for c in _FIGURES)}, "
    "version = version + 1 WHERE id = %s AND version = %s RETURNING id), "
    "w1 AS (INSERT INTO ledger_entry (deal_id, team_id, seq, kind, by_user, at, text, concession_type, worth_cents, "
    f"percent_bp, reciprocates, unqualified, ethics_markers) {_ENTRY_ROW} UNION ALL {_ENTRY_ROW}), "
    "w2 AS (INSERT INTO outbox (team_id, deal_id, kind, channel_id, payload, created_at, due_at, attempts) "
    "SELECT %s, w0.id, 'card', %s, '{}', %s, %s, 0 FROM w0 WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE "
    "team_id = %s AND kind = 'card' AND deal_id = w0.id AND delivered_at IS NULL AND failed_at IS NULL "
    "AND claimed_until IS NULL)), "
    "w3 AS (UPDATE outbox SET payload = %s FROM w0 WHERE outbox.id = %s AND delivered_at IS NULL "
    "AND failed_at IS NULL AND claimed_until IS NULL RETURNING 1), "
    "w4 AS (INSERT INTO outbox (team_id, deal_id, kind, channel_id, payload, created_at, due_at, attempts) "
    "SELECT %s, w0.id, 'note', %s, %s, %s, %s, 0 FROM w0 WHERE NOT EXISTS (SELECT 1 FROM w3)) "
    "SELECT count(*) FROM w0")


class Store:
    """One driver connection per thread: SQLite writers of one process take turns, as the app's do."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite:///")
        self._target = url[len("sqlite:///"):] if self.sqlite else url.replace("postgresql+psycopg://",
                                                                                   "postgresql://")
        self._local = threading.local()
        self.write_lock = threading.Lock()
        dialect = sqlite.dialect() if self.sqlite else postgresql.dialect()
        compiled = _reads(False, LATEST_ENTRIES)[1].compile(dialect=dialect)  # by name, unlocked, the latest entries
        self._read_sql, self._compiled = compiled.string, compiled

    def create(self) -> None:
        """The app's database exists already (migrated by `dealcoach serve`)."""

    def connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if self.sqlite:
                connection = sqlite3.connect(self._target, isolation_level=None, check_same_thread=False)
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute("PRAGMA busy_timeout=0")
                connection.execute("PRAGMA foreign_keys=ON")
            else:
                import psycopg

                connection = psycopg.connect(self._target, autocommit=True)
            self._local.connection = connection
        return connection

    def ping(self) -> None:
        self.connection().execute("SELECT 1").fetchone()

    def read(self, team: str, name: str) -> Any:
        """The deal's row with everything Deal Coach reads beside it, columns by name."""
        values = self._compiled.construct_params({"team_id": team, "name_key": name.lower()})
        params = tuple(values[key] for key in self._compiled.positiontup) if self.sqlite else values
        cursor = self.connection().execute(self._read_sql, params)
        raw = cursor.fetchone()
        row_type = getattr(self._local, "row_type", None)
        if row_type is None:
            row_type = self._local.row_type = namedtuple("Row", [column[0] for column in cursor.description])
        return row_type._make(raw)


def deal_of(row: Any) -> tuple[Deal, Policy]:
    created = row.created_at
    values = row._asdict()
    if isinstance(created, str):
        values["created_at"] = datetime.fromisoformat(created)
    deal = mapping.deal_from_row(type(row)(**values), [mapping.entry_from_columns(e) for e in entries_of(row.ledger)],
                                 mapping.tally_from_row(row))
    policy = mapping.policy_from_values({key[len(_POLICY):]: value for key, value in values.items()
                                         if key.startswith(_POLICY)})
    return deal, policy


class Changed(Exception):
    """The deal was saved by another request after this one read it: read and judge it again."""


def write(store: Store, row: Any, deal: Deal, ledger: Ledger, verdict: str, entries: list[Entry], note: dict) -> None:
    now = datetime.now(UTC)
    team, channel = deal.team_id, deal.channel_id
    waiting = json.loads(row.note_payload)["notes"] if row.note_payload else None
    merged = json.dumps({"notes": [*(waiting or []), note]})
    alone = json.dumps({"notes": [note]})
    tally = mapping.tally_values(ledger.tally)
    figures = (ledger.effective_cents, *(tally[c] for c in mapping.TALLY_COLUMNS.values()), verdict)
    where = (deal.id, row.version)
    entry_rows = [(e.seq, e.kind.value, e.by_user, e.at, e.text, e.concession_type.value if e.concession_type
                   else None, e.worth_cents, e.percent_bp, e.reciprocates, e.unqualified) for e in entries]
    connection = store.connection()
    if not store.sqlite:
        count = connection.execute(POSTGRESQL_WRITE, (
            *figures, now, *where, team, *entry_rows[0], team, *entry_rows[1], team, channel, now, now, team,
            merged, row.note_id, team, channel, alone, now, now)).fetchone()[0]
        if not count:
            raise Changed
        return
    stamp = now.replace(tzinfo=None).isoformat(" ", "microseconds")
    with store.write_lock:
        _begin_immediate(connection)
        try:
            if not connection.execute(SQLITE_WRITES["deal"], (*figures, stamp, *where)).rowcount:
                raise Changed
            for seq, kind, by, at, text, kind_of, worth, bp, answers, unqualified in entry_rows:
                connection.execute(SQLITE_WRITES["entry"], (
                    deal.id, team, seq, kind, by, at.replace(tzinfo=None).isoformat(" ", "microseconds"), text,
                    kind_of, worth, bp, answers, unqualified))
            connection.execute(SQLITE_WRITES["card"], (team, deal.id, channel, stamp, stamp, team, deal.id))
            if waiting is None or not connection.execute(SQLITE_WRITES["merge"], (merged, row.note_id)).rowcount:
                connection.execute(SQLITE_WRITES["note"], (team, deal.id, channel, alone, stamp, stamp))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def build_app(store: Store, *, secret: str, token: str, api_url: str) -> App:
    client = WebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/")
    app = App(client=client, signing_secret=secret, process_before_response=True,
              token_verification_enabled=False, request_verification_enabled=True)

    @app.command("/deal")
    def deal_command(ack: Ack, body: dict[str, Any]) -> None:
        _verb, name, percent, _for, get = str(body.get("text") or "").split(maxsplit=4)
        while True:  # as Deal Coach does, a move judged on a deal saved meanwhile is read and judged again
            try:
                answer = concede(store, str(body.get("team_id")), str(body.get("user_id")), name, percent, get)
                break
            except Changed:
                continue
        ack(response_type="ephemeral", text=answer.text, blocks=answer.blocks)

    return app


def concede(store: Store, team: str, user: str, name: str, percent: str, get: str) -> Any:
    """Reads, judges and writes one concession; the reply."""
    row = store.read(team, name)
    deal, policy = deal_of(row)
    now = datetime.now(UTC)
    before = Ledger.of(deal)
    spec = ConcessionSpec(ConcessionType.PERCENT, percent_bp=round(float(percent.rstrip("%")) * 100))
    given = concession_entry(deal, spec, by=user, at=now, ledger=before)
    deal.entries.append(given)
    got = get_entry(deal, get, None, by=user, at=now, answering=given)
    deal.entries.append(got)
    ledger = Ledger.of(deal)
    judged = judge(deal, policy, ledger)
    note = {"moment": "concession", "by": user, "kind": "concession", "text": "a price concession", "get": get}
    write(store, row, deal, ledger, judged.verdict.word, [given, got], note)
    return reply(f"{deal.name}: {judged.verdict.word}", [
        section(f"Logged your concession on *{deal.name}*."), *judgement_blocks(judged),
        section(figures_text(deal, ledger))])


def main() -> int:
    env = os.environ
    store = Store(env["DATABASE_URL"])

    def load() -> LimitWSGI:
        app = build_app(store, secret=env["SLACK_SIGNING_SECRET"], token=env.get("SLACK_BOT_TOKEN", "xoxb-lean"),
                        api_url=env.get("SLACK_API_URL", "https://slack.com/api/"))
        return LimitWSGI(SlackRequestHandler(app, path=SLACK_PATH), store)

    options = gunicorn_options(env.get("PORT", "3000"), int(env.get("DEALCOACH_WEB_WORKERS", "2")),
                               int(env.get("DEALCOACH_WEB_THREADS", "4")))
    _Gunicorn(load, options).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
