"""The database away for a while, under a running `dealcoach serve`: users get a clear "try again" (HTTP 200,
a sentence, nothing recorded), within Slack's three seconds; the process recovers by itself.

- PostgreSQL: a TCP proxy between the app and the server is cut (every connection dropped, new ones turned
  away, as when the server stops or restarts) and restored. /healthz answers 503 while it is cut, 200 after.
  Or it stalls (connections kept and accepted, nothing answered, as in a network partition) and resumes: the
  app's own bounds on each wait (bot/db/waits.py) answer in time.
- SQLite: the file is local, so "unavailable" honestly means another process holding its write lock (a
  backup, a stuck job) beyond the app's lock timeout. Writes are refused with "try again"; reads and
  /healthz keep answering (the database does answer); writes resume when the lock goes."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, REP, SIGNING_SECRET, TEAM, postgres_base_url
from faultkit import (
    RemoteSlack,
    ServeProcess,
    TCPProxy,
    Timed,
    has_actions,
    message_event,
    own_database,
    retry_headers,
    serving,
    timed,
    verdict_of,
)
from slack_client import Answer
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.db import waits
from bot.db.engine import REQUEST_LOCK_TIMEOUT_MS, make_engine, normalise_url
from bot.db.migrate import upgrade
from bot.render.words import TRY_AGAIN
from bot.slack.ids import Action, Block
from bot.standin import SlackStandIn

pytestmark = pytest.mark.slow

SLACK_SECONDS = 3.0


def settings_for(standin: SlackStandIn, url: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": standin.token,
            "SLACK_API_URL": standin.base_url or "", "DEALCOACH_MANAGERS": MANAGER,
            "DEALCOACH_ALERT_CHANNEL": ALERTS}


def concessions(url: str, name: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM ledger_entry e JOIN deal d ON d.id = e.deal_id "
                "WHERE d.name = :n AND e.kind = 'concession'"), {"n": name}).scalar_one()
    finally:
        engine.dispose()


def all_at_once(n: int, call: object) -> list[Timed]:
    results: list[Timed] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        done = timed(call, i)
        with lock:
            results.append(done)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def is_try_again(answer: Answer) -> bool:
    return answer.status == 200 and TRY_AGAIN in answer.text and verdict_of(answer) is None


# PostgreSQL: the connection cut and restored ------------------------------------------------------------

@dataclass
class BehindProxy:
    process: ServeProcess
    slack: RemoteSlack
    proxy: TCPProxy
    standin: SlackStandIn
    direct: str  # the database's own URL, not through the proxy

    @contextlib.contextmanager
    def cut(self) -> Iterator[None]:
        """PostgreSQL is away inside the block, refusing connections; back after it."""
        with self._away(self.proxy.cut, self.proxy.restore):
            yield

    @contextlib.contextmanager
    def stalled(self) -> Iterator[None]:
        """PostgreSQL stops answering inside the block without refusing anything (a network partition); it
        answers again after it."""
        with self._away(self.proxy.stall, self.proxy.resume):
            yield

    @contextlib.contextmanager
    def _away(self, begin: Callable[[], None], end: Callable[[], None]) -> Iterator[None]:
        """PostgreSQL is away inside the block; back, and answering /healthz again, after it. Away only once
        no message is being delivered: one posted to Slack but not yet recorded as sent would go out again
        when its claim expires (the README's "at most once unless ..." case), and a card's thread with it."""
        engine = make_engine(self.direct)
        try:
            with engine.connect() as connection:
                in_flight = text("SELECT count(*) FROM outbox WHERE claimed_until IS NOT NULL "
                                 "AND delivered_at IS NULL AND failed_at IS NULL")
                deadline = time.monotonic() + 10
                while connection.execute(in_flight).scalar_one() and time.monotonic() < deadline:
                    connection.rollback()
                    time.sleep(0.05)
        finally:
            engine.dispose()
        begin()
        try:
            yield
        finally:
            end()
            restored = time.monotonic()
            while self.process.healthz() != 200:
                assert time.monotonic() - restored < 10, f"no recovery:\n{self.process.output()}"
                time.sleep(0.05)


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BehindProxy]:
    """A serve process whose every connection to PostgreSQL goes through a proxy the test can cut."""
    if postgres_base_url() is None:
        pytest.skip("needs DEALCOACH_TEST_POSTGRES_URL (CI sets it)")
    folder = tmp_path_factory.mktemp("behind-proxy")
    with own_database(folder) as direct:
        server = make_url(normalise_url(direct))
        with TCPProxy(server.host or "127.0.0.1", server.port or 5432) as proxy, \
                SlackStandIn(team_id=TEAM) as standin:
            proxied = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            with serving(folder, ["serve"], DEALCOACH_WEB_WORKERS="1",
                         **settings_for(standin, proxied)) as (process,):
                yield BehindProxy(process, RemoteSlack(process.url, SIGNING_SECRET, standin, team_id=TEAM), proxy,
                                  standin, direct)


def assert_recovered(behind_proxy: BehindProxy, deal: str, after: Timed) -> None:
    """After the outage the next concession (over the cap) is judged and recorded, beside the one from before
    it, and none answered "try again"; the outbox worker lived through it: that concession's alert reaches Slack."""
    standin = behind_proxy.standin
    assert after.answer.status == 200 and verdict_of(after.answer) == "ESCALATE", after.answer.text[:300]
    assert concessions(behind_proxy.direct, deal) == 2, "a 'try again' must have recorded nothing"
    assert standin.wait_for(lambda: any(m.text == f"Alert on {deal}: cap" for m in standin.messages(ALERTS)),
                            timeout=10), behind_proxy.process.output()


def test_with_postgresql_cut_off_users_are_told_to_try_again_healthz_is_503_and_all_recovers_without_restart(
        behind_proxy: BehindProxy) -> None:
    process, slack = behind_proxy.process, behind_proxy.slack
    assert slack.command("new cut list=100k floor=60k", user=REP).status == 200
    assert slack.command("qualify cut needs=yes decider=yes timeline=yes budget=yes", user=REP).status == 200
    assert verdict_of(slack.command("concede cut 5% for a logo", user=REP)) == "OK"

    down: list[Timed] = []
    health_down = []
    with behind_proxy.cut():
        cut_at = time.monotonic()
        while time.monotonic() - cut_at < 5.0:  # five seconds of outage, users still typing
            down.append(timed(slack.command, "concede cut 1% for a case study", user=REP))
            down.append(timed(slack.command, "status cut", user=REP))
            health_down.append(process.healthz(timeout=SLACK_SECONDS))
        restored_at = time.monotonic()
    healthy_after = time.monotonic() - restored_at
    after = timed(slack.command, "concede cut 25% for a reference call", user=REP)

    assert down and all(is_try_again(t.answer) for t in down), [t.answer.text[:300] for t in down]
    assert max(t.seconds for t in down) < SLACK_SECONDS
    assert set(health_down) == {503}
    assert_recovered(behind_proxy, "cut", after)
    print(f"\nPostgreSQL cut 5 s: {len(down)} commands answered 'try again' (max "
          f"{max(t.seconds for t in down) * 1000:.0f} ms), /healthz 503 x{len(health_down)}, "
          f"200 again {healthy_after:.2f} s after restore")


def test_with_postgresql_stalled_by_a_partition_users_are_told_to_try_again_within_slacks_three_seconds(
        behind_proxy: BehindProxy) -> None:
    """Nothing refuses: connections stay open and new ones are accepted, but no answer comes. Each round sends a
    concession, a status and a health check together, the way users and a load balancer would."""
    process, slack = behind_proxy.process, behind_proxy.slack
    assert slack.command("new stall list=100k floor=60k", user=REP).status == 200
    assert slack.command("qualify stall needs=yes decider=yes timeline=yes budget=yes", user=REP).status == 200
    assert verdict_of(slack.command("concede stall 5% for a logo", user=REP)) == "OK"

    down: list[Timed] = []
    health_down: list[Timed] = []
    with behind_proxy.stalled(), ThreadPoolExecutor(3) as pool:
        stalled_at = time.monotonic()
        while time.monotonic() - stalled_at < 5.0:  # about five seconds of partition: two rounds
            commands = [pool.submit(timed, slack.command, words, user=REP)
                        for words in ("concede stall 1% for a case study", "status stall")]
            health = pool.submit(timed, process.healthz, SLACK_SECONDS)
            down += [command.result() for command in commands]
            health_down.append(health.result())
        resumed_at = time.monotonic()
    healthy_after = time.monotonic() - resumed_at
    after = timed(slack.command, "concede stall 25% for a reference call", user=REP)

    assert down and all(is_try_again(t.answer) for t in down), [t.answer.text[:300] for t in down]
    assert max(t.seconds for t in down + health_down) < SLACK_SECONDS, [round(t.seconds, 2) for t in down]
    assert {cast(int, t.answer) for t in health_down} == {503}  # timed() of /healthz holds its status
    assert_recovered(behind_proxy, "stall", after)
    print(f"\nPostgreSQL stalled 5 s: {len(down)} commands answered 'try again' (max "
          f"{max(t.seconds for t in down) * 1000:.0f} ms), /healthz 503 x{len(health_down)} (max "
          f"{max(t.seconds for t in health_down) * 1000:.0f} ms), 200 again {healthy_after:.2f} s after resume")


def test_a_new_deal_form_submitted_while_postgresql_is_away_is_answered_try_again_beside_the_field(
        behind_proxy: BehindProxy) -> None:
    slack, standin = behind_proxy.slack, behind_proxy.standin
    slack.command("new", user=REP)
    assert standin.wait_for(lambda: standin.calls_to("views.open"), timeout=5)
    view = standin.calls_to("views.open")[-1].params["view"]
    values = {str(Block.NAME): {str(Action.NAME): "formcut"}, str(Block.LIST): {str(Action.LIST): "120k"},
              str(Block.FLOOR): {str(Action.FLOOR): "90k"}, str(Block.TARGET): {str(Action.TARGET): ""},
              str(Block.CAP): {str(Action.CAP): ""}, str(Block.CUSTOMER): {str(Action.CUSTOMER): ""}}
    with behind_proxy.cut():
        answer = slack.view_submission(view, values, user=REP)
    assert answer.status == 200, f"HTTP {answer.status}: Slack shows the user only a generic error"
    assert answer.body.get("response_action") == "errors" and TRY_AGAIN in json.dumps(answer.body)


def test_a_button_clicked_while_postgresql_is_away_tells_the_clicker_to_try_again(
        behind_proxy: BehindProxy) -> None:
    slack, standin = behind_proxy.slack, behind_proxy.standin
    slack.command("new clickcut list=100k floor=60k", user=REP)
    slack.command("concede clickcut 25%", user=REP)
    assert standin.wait_for(lambda: [m for m in standin.messages(ALERTS) if m.text == "Alert on clickcut: cap"],
                            timeout=10)
    alert = next(m for m in standin.messages(ALERTS) if m.text == "Alert on clickcut: cap")
    message = {"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks}
    with behind_proxy.cut():
        answer = slack.press(alert.blocks, Action.APPROVE_EXCEPTION, user=MANAGER, channel=ALERTS, message=message,
                             response_url=standin.response_url("clickcut"))
    assert answer.status == 200

    def told() -> bool:
        said = json.dumps(standin.responses("clickcut")) + json.dumps([m.text for m in standin.ephemerals(MANAGER)])
        return "try again" in said.lower()

    assert standin.wait_for(told, timeout=2), "the click did nothing, and nobody said so"


def test_a_thread_message_that_arrives_while_postgresql_is_away_is_handled_when_slack_retries_it(
        behind_proxy: BehindProxy) -> None:
    """The event is not acknowledged while the database is away, so Slack retries it; the retry is handled."""
    slack, standin = behind_proxy.slack, behind_proxy.standin
    slack.command("new eventcut list=100k floor=80k", user=REP, channel="C0EVENTCUT")
    assert standin.wait_for(lambda: standin.messages("C0EVENTCUT", include_threads=False), timeout=10)
    thread = standin.messages("C0EVENTCUT", include_threads=False)[0].ts
    body = message_event(TEAM, "EvCut", user=REP, channel="C0EVENTCUT", thread_ts=thread,
                         ts=f"{float(thread) + 1:.6f}", text="they want another 15% off before signing")
    with behind_proxy.cut():
        first = slack.event(body)
    assert first.status >= 500, "a 2xx while the database is away would tell Slack not to retry"
    # Slack retries an event three times. Right after the database is back, the worker that gets the first retry
    # may still hold a pooled connection the cut broke and used under a second ago (so not pinged): that request
    # is answered 500 and the connection dropped, and the next retry is handled.
    statuses = []
    for attempt in (1, 2, 3):
        statuses.append(slack.event(body, headers=retry_headers(attempt)).status)
        if statuses[-1] == 200:
            break
    assert statuses[-1] == 200, f"no retry was handled: {statuses}"

    def proposals() -> list[Any]:
        return [m for m in standin.ephemerals(REP) if m.thread_ts == thread and has_actions(m)]

    assert standin.wait_for(proposals, timeout=10), "the retried event was not handled"
    assert len(proposals()) == 1, "handled once, however many retries came"


# PostgreSQL: each wait bounded, in the process ----------------------------------------------------------

def test_every_wait_of_a_request_on_postgresql_ends_inside_slacks_three_seconds() -> None:
    """The worst cases (bot/db/waits.py): a connection in use whose answer never comes; an idle one pinged, then
    a new one that never connects; each after waiting for a free connection. A lock wait ends first with the
    server's own error, so that connection is kept."""
    assert waits.POOL_TIMEOUT_S + waits.ANSWER_WAIT_S < SLACK_SECONDS
    assert waits.POOL_TIMEOUT_S + waits.PING_WAIT_S + waits.CONNECT_TIMEOUT_S < SLACK_SECONDS
    assert isinstance(waits.CONNECT_TIMEOUT_S, int) and waits.CONNECT_TIMEOUT_S >= 2, "libpq's whole seconds"
    assert waits.ANSWER_WAIT_S > REQUEST_LOCK_TIMEOUT_MS / 1000


QUICK_LOCK_MS, QUICK_ANSWER_S = 200, 0.3  # the same bounds in the same order, short, so the tests are quick


@pytest.fixture
def stalling() -> Iterator[tuple[TCPProxy, Engine]]:
    """A request engine whose connections to PostgreSQL go through a proxy the test can stall."""
    base = postgres_base_url()
    if base is None:
        pytest.skip("needs DEALCOACH_TEST_POSTGRES_URL (CI sets it)")
    server = make_url(normalise_url(base))
    with TCPProxy(server.host or "127.0.0.1", server.port or 5432) as proxy, \
            pytest.MonkeyPatch.context() as patch:
        patch.setattr(waits.BoundedConnection, "answer_wait", QUICK_ANSWER_S)
        proxied = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        engine = make_engine(proxied, lock_timeout_ms=QUICK_LOCK_MS)
        try:
            yield proxy, engine
        finally:
            proxy.resume()
            engine.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_an_answer_that_never_comes_closes_the_connection_at_its_bound_and_a_new_one_serves_after(
        stalling: tuple[TCPProxy, Engine]) -> None:
    proxy, engine = stalling
    before = backend_pid(engine)
    proxy.stall()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="did not answer"), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    waited = time.monotonic() - started
    proxy.resume()
    assert QUICK_ANSWER_S <= waited < QUICK_ANSWER_S + 0.5
    assert backend_pid(engine) != before, "the dead connection was discarded, not handed out again"


def test_a_lock_wait_ends_with_the_servers_lock_timeout_first_and_its_connection_is_kept(
        stalling: tuple[TCPProxy, Engine]) -> None:
    _proxy, engine = stalling
    holder = make_engine(normalise_url(postgres_base_url() or ""))
    try:
        with holder.connect() as held, engine.connect() as waiting:
            held.execute(text("SELECT pg_advisory_lock(205)"))
            pid = waiting.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with pytest.raises(OperationalError, match="lock timeout"):
                waiting.execute(text("SELECT pg_advisory_lock(205)"))
            assert not waiting.invalidated
            waiting.rollback()
            assert waiting.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
    finally:
        holder.dispose()


def test_a_background_job_that_may_read_much_waits_longer_than_a_request(stalling: tuple[TCPProxy, Engine]) -> None:
    proxy, engine = stalling
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        proxy.stall()
        threading.Timer(QUICK_ANSWER_S * 2, proxy.resume).start()
        with waits.waiting_at_most(connection, 5.0):
            assert connection.execute(text("SELECT 2")).scalar_one() == 2
        driver = connection.connection.driver_connection
        assert driver is not None and driver.answer_wait == QUICK_ANSWER_S, "a request's bound again"


# SQLite: the write lock held by another process -----------------------------------------------------

HOLD_SECONDS = 4.0
WRITERS = 8

_HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def hold_write_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process takes the database's write lock and keeps it for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


sqlite_only = pytest.mark.skipif(postgres_base_url() is not None,
                                 reason="SQLite's own behaviour: the run without DEALCOACH_TEST_POSTGRES_URL covers it")


@dataclass
class SqliteServed:
    process: ServeProcess
    slack: RemoteSlack
    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


@pytest.fixture(scope="module")
def sqlite_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteServed]:
    """A serve process on a SQLite file of its own. One process with a thread for each of the WRITERS:
    a request waiting for a free thread would wait before the app's deadline even starts."""
    folder = tmp_path_factory.mktemp("sqlite-served")
    path = folder / "served.db"
    upgrade(f"sqlite:///{path}")
    with SlackStandIn(team_id=TEAM) as standin, \
            serving(folder, ["serve"], DEALCOACH_WEB_WORKERS="1", DEALCOACH_WEB_THREADS=str(WRITERS),
                    **settings_for(standin, f"sqlite:///{path}")) as (process,):
        yield SqliteServed(process, RemoteSlack(process.url, SIGNING_SECRET, standin, team_id=TEAM), path)


@sqlite_only
def test_with_the_sqlite_write_lock_held_elsewhere_writers_are_told_to_try_again_within_slacks_three_seconds(
        sqlite_served: SqliteServed) -> None:
    process, slack, path = sqlite_served.process, sqlite_served.slack, sqlite_served.path
    assert slack.command("new held list=100k floor=60k", user=REP).status == 200
    holder = hold_write_lock(path, HOLD_SECONDS)
    locked_at = time.monotonic()
    try:
        read = timed(slack.command, "status held", user=REP)
        health = process.healthz(timeout=SLACK_SECONDS)
        writes = all_at_once(WRITERS, lambda i: slack.command(f"concede held 1% for logo {i}", user=REP))
        slowest = max(t.seconds for t in writes)
        assert time.monotonic() - locked_at < HOLD_SECONDS or slowest >= SLACK_SECONDS, \
            "the lock must still be held while we look"
    finally:
        holder.wait(30)
    after = timed(slack.command, "concede held 2% for a case study", user=REP)

    assert slowest < SLACK_SECONDS, f"writers waited {sorted(round(t.seconds, 2) for t in writes)} s"
    assert all(is_try_again(t.answer) for t in writes), [t.answer.text[:300] for t in writes]
    assert verdict_of(read.answer) == "OK" and read.seconds < 1, "reads do not wait for the write lock"
    assert health == 200, "the database answers reads, so the process is healthy"
    assert verdict_of(after.answer) and after.seconds < 1, after.answer.text[:300]
    assert concessions(sqlite_served.url, "held") == 1
    print(f"\nSQLite write lock held {HOLD_SECONDS:.0f} s elsewhere: {WRITERS} concurrent writers told 'try "
          f"again' (slowest {slowest:.2f} s), reads {read.seconds * 1000:.0f} ms, /healthz {health}, "
          f"next write {after.seconds * 1000:.0f} ms")


@sqlite_only
def test_sqlite_writers_from_many_threads_on_one_file_never_fail_with_database_is_locked(
        sqlite_served: SqliteServed) -> None:
    deals, each = 8, 12
    slack = sqlite_served.slack
    log_before = len(sqlite_served.process.log.read_text(errors="replace"))
    for d in range(deals):
        assert slack.command(f"new many{d} list=100k floor=60k", user=REP, channel=CHANNEL).status == 200
    results = all_at_once(deals * each, lambda i: slack.command(f"concede many{i % deals} cut 100 for logo {i}",
                                                                user=REP))
    unanswered = [t.answer.text[:300] for t in results if not verdict_of(t.answer)]
    assert not unanswered, unanswered
    assert sum(concessions(sqlite_served.url, f"many{d}") for d in range(deals)) == deals * each
    assert "database is locked" not in sqlite_served.process.log.read_text(errors="replace")[log_before:]
    print(f"\nSQLite, {deals * each} concurrent writers on {deals} deals: all recorded, slowest "
          f"{max(t.seconds for t in results):.2f} s")
