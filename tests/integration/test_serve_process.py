"""`python -m bot serve` as a real process: migrates, answers /healthz and signed `/deal` commands, delivers
cards from its own outbox worker, and stops cleanly; without the signing secret it refuses to start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, REP, SIGNING_SECRET, TEAM
from processes import child_env, free_port
from slack_client import Answer, SlackClient
from sqlalchemy import inspect

from bot.db.engine import make_engine
from bot.standin import SlackStandIn

STARTUP_SECONDS = 20
STOP_SECONDS = 10

pytestmark = pytest.mark.slow


# Helpers ---------------------------------------------------------------------------------------------


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    database: Path
    standin: SlackStandIn
    slack: SlackClient
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode} before answering:\n"
                        f"{log.read_text()[-4000:]}")
        try:
            if get(f"{url}/healthz")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"serve did not answer /healthz within {STARTUP_SECONDS} s:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen[bytes]) -> int | None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the master and its workers
            process.wait()
            return None
    return process.returncode


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """One `serve` process for the module (starting one costs about two seconds)."""
    with (tempfile.TemporaryDirectory(prefix="dealcoach-serve-") as folder,
          SlackStandIn(team_id=TEAM) as standin):
        workdir = Path(folder)  # also the cwd, so no developer's .env is read
        database, log = workdir / "serve.db", workdir / "serve.log"
        port = free_port()
        env = child_env(
            PORT=str(port), DATABASE_URL=f"sqlite:///{database}", SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_BOT_TOKEN=standin.token, SLACK_API_URL=standin.base_url or "",
            DEALCOACH_MANAGERS=MANAGER, DEALCOACH_ALERT_CHANNEL=ALERTS,
        )
        with open(log, "wb") as sink:
            process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=workdir, env=env,
                                       stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(process, url, log)
            # The client's worker is not used: delivery is the served process's own job here.
            client = SlackClient(url, SIGNING_SECRET, standin, None, team_id=TEAM)  # type: ignore[arg-type]
            yield Served(process, url, database, standin, client, log)
        finally:
            stop(process)


def command(served: Served, text: str) -> Answer:
    return served.slack.command(text, user=REP, channel=CHANNEL)


# The running server --------------------------------------------------------------------------------------


def test_serve_migrates_the_database_and_reports_healthy(served: Served) -> None:
    status, raw = get(f"{served.url}/healthz")
    assert status == 200
    assert json.loads(raw)["status"] == "ok"
    engine = make_engine(f"sqlite:///{served.database}")
    try:
        assert {"deal", "ledger_entry", "outbox", "alembic_version"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_serve_answers_signed_deal_commands_with_their_verdicts(served: Served) -> None:
    opened = command(served, "new verdicts list=120k floor=90k customer=Acme Corp")
    assert opened.status == 200, served.output()
    assert "Verdict: *OK*" in opened.text

    conceded = command(served, "concede verdicts 25%")
    assert conceded.status == 200
    assert "*ESCALATE*" in conceded.text


def test_serve_delivers_the_card_and_the_alert_from_its_own_outbox_worker(served: Served) -> None:
    command(served, "new delivered list=100k floor=60k")
    command(served, "concede delivered 25% for a logo")

    def card_shown() -> bool:
        top_level = served.standin.messages(CHANNEL, include_threads=False)
        return any("delivered" in message.text for message in top_level)

    assert served.standin.wait_for(card_shown, timeout=10), f"no card reached Slack:\n{served.output()}"
    assert served.standin.wait_for(
        lambda: any("delivered" in m.text for m in served.standin.messages(ALERTS)), timeout=10
    ), f"no alert reached the managers' channel:\n{served.output()}"
    time.sleep(0.3)  # anything posted twice would show by now
    cards = [m for m in served.standin.messages(CHANNEL, include_threads=False) if "delivered" in m.text]
    assert len(cards) == 1


def test_serve_refuses_a_badly_signed_request(served: Served) -> None:
    answer = served.slack.post("command=%2Fdeal&text=list", "application/x-www-form-urlencoded",
                               signature="v0=" + "0" * 64)
    assert answer.status == 401


def test_serve_answers_404_for_unknown_paths(served: Served) -> None:
    assert get(f"{served.url}/nope")[0] == 404


def test_serve_stops_cleanly_on_sigterm(served: Served) -> None:
    """Runs last in this module: it ends the shared process."""
    started = time.monotonic()
    returncode = stop(served.process)
    assert returncode == 0, f"serve did not exit cleanly ({returncode}):\n{served.output()}"
    assert time.monotonic() - started < STOP_SECONDS
    assert "Traceback" not in served.output()


# Replicas ------------------------------------------------------------------------------------------------


def test_two_serve_replicas_started_together_on_one_empty_database_both_become_healthy(
        tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    replicas = []
    try:
        for n in range(2):
            port, log = free_port(), tmp_path / f"replica{n}.log"
            env = child_env(PORT=str(port), DATABASE_URL=f"sqlite:///{database}",
                            SLACK_SIGNING_SECRET=SIGNING_SECRET,
                            SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL="http://127.0.0.1:9/api/",
                            DEALCOACH_WEB_WORKERS="1")
            with open(log, "wb") as sink:
                process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env,
                                           stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
            replicas.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in replicas:
            wait_until_healthy(process, url, log)
    finally:
        codes = [stop(process) for process, _, _ in replicas]
    assert codes == [0, 0]
    for _, _, log in replicas:
        assert "Traceback" not in log.read_text(errors="replace")


# Refusing to start ---------------------------------------------------------------------------------------


def test_serve_without_a_signing_secret_exits_non_zero_naming_the_variable_before_any_log_line(
        tmp_path: Path) -> None:
    env = child_env(PORT=str(free_port()), DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
                    SLACK_BOT_TOKEN="xoxb-test")
    result = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env, check=False,
                            capture_output=True, text=True, timeout=STARTUP_SECONDS)
    assert result.returncode != 0
    assert "SLACK_SIGNING_SECRET" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr, "a missing setting deserves a message, not a stack trace"
    assert result.stderr.startswith("dealcoach serve needs SLACK_SIGNING_SECRET"), result.stderr
