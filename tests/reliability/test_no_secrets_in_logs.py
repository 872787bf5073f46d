"""Tokens, secrets and customers' words are never logged at INFO or above: a whole flow (commands, thread
messages, buttons, the shortcut, the LLM coach answering and failing, Slack refusing a post, a badly signed
request, a request no listener handles) runs with logging set up as `dealcoach` sets it up and recognisable
secret values, and no record at INFO or above names any of them. The same holds for `dealcoach serve`'s own
log, as a real process."""

from __future__ import annotations

import copy
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode
from wsgiref.simple_server import make_server

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, REP, TEAM, _QuietHandler, _ThreadingServer, make_settings
from processes import child_env, free_port
from reliability_support import FORM, post_raw, sign
from slack_client import SlackClient, slack_payload

from bot.bootstrap import build
from bot.logging_config import QUIET_LIBRARIES, configure_logging
from bot.slack.ids import Action, Shortcut
from bot.standin import SlackStandIn
from bot.standin.llm import SERVER_ERROR, LLMStandIn
from bot.standin.loopback import POLL_SECONDS
from bot.standin.requests import command_body
from bot.web import make_wsgi

BOT_TOKEN = "xoxb-SECRETBOTTOKEN-4242-abcdef"
SIGNING_SECRET = "SECRET-SIGNING-5c3d9e"
OPENAI_KEY = "sk-SECRET-OPENAI-KEY-7f1a"
CUSTOMER = "ZEBRAWORDS"  # in every piece of text a customer wrote
SECRETS = (BOT_TOKEN, BOT_TOKEN.removeprefix("xoxb-"), SIGNING_SECRET, OPENAI_KEY, CUSTOMER)
GOOD = {"move": "trade", "lines": [
    {"text": "I can look at that if we can agree on a two-year term.", "principle_id": "give-get"},
    {"text": "What does the delay cost your team each month?", "principle_id": "value-not-price"}]}


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._format = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def shown(self, at_least: int = logging.INFO) -> list[str]:
        """Each record at that level or above as a log file would show it, traceback included."""
        return [self._format.format(r) for r in self.records if r.levelno >= at_least]


@pytest.fixture
def production_logging() -> Iterator[Recorder]:
    """Logging as `dealcoach` configures it, before the app is built (as in production); restored after."""
    root = logging.getLogger()
    names = ("alembic", *QUIET_LIBRARIES)
    saved = (root.level, list(root.handlers), {name: logging.getLogger(name).level for name in names})
    configure_logging()
    recorder = Recorder()
    root.addHandler(recorder)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)
        for handler in root.handlers[:]:
            if handler not in saved[1]:
                root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def secret_app(production_logging, database_url) -> Iterator[tuple[SlackClient, SlackStandIn, LLMStandIn]]:  # noqa: ANN001
    llm = LLMStandIn()
    llm_url = llm.start()
    llm.answer(GOOD)
    with SlackStandIn(token=BOT_TOKEN, team_id=TEAM) as standin:
        settings = make_settings(standin, database_url, SLACK_SIGNING_SECRET=SIGNING_SECRET, OPENAI_API_KEY=OPENAI_KEY,
                                 OPENAI_BASE_URL=llm_url, DEALCOACH_LLM_TIMEOUT="3", DEALCOACH_LLM_MODEL="test-model")
        container = build(settings, pace_seconds=0)
        httpd = make_server("127.0.0.1", 0, make_wsgi(container), server_class=_ThreadingServer,
                            handler_class=_QuietHandler)
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
        thread.start()
        try:
            yield (SlackClient(f"http://127.0.0.1:{httpd.server_address[1]}", SIGNING_SECRET, standin,
                               container.worker, team_id=TEAM), standin, llm)
        finally:
            httpd.shutdown()
            httpd.server_close()
            container.close()
            llm.stop()


def thread_message(slack: SlackClient, thread_ts: str, words: str, event_id: str) -> None:
    body = copy.deepcopy(slack_payload("test_message__message_body"))
    body.update(team_id=TEAM, event_id=event_id)
    body.pop("enterprise_id", None)
    body["event"].update(text=words, user=REP, channel=CHANNEL, ts=f"{float(thread_ts) + 3:.6f}",
                         thread_ts=thread_ts, team=TEAM)
    assert slack.event(body).status == 200


def shortcut_payload(standin: SlackStandIn, thread_ts: str, callback_id: str, words: str) -> dict:
    payload = copy.deepcopy(slack_payload("test_shortcut__message_shortcut_body"))
    payload.update(callback_id=callback_id, team={"id": TEAM, "domain": "x"},
                   user={"id": REP, "name": "rep", "team_id": TEAM}, channel={"id": CHANNEL, "name": "deals"},
                   response_url=standin.response_url("shortcut"))
    payload["message"].update(text=words, ts=f"{float(thread_ts) + 7:.6f}", thread_ts=thread_ts, team=TEAM)
    return payload


def run_whole_flow(slack: SlackClient, standin: SlackStandIn, llm: LLMStandIn) -> None:
    """Everything that may log, with the customer's words in every text a customer wrote."""
    for user, command in [
        (REP, f"new acme list=120k floor=83,417 customer={CUSTOMER} Inc"),
        (REP, f"ask acme {CUSTOMER} want 10% off and free onboarding"),
        (REP, f"concede acme 5% for {CUSTOMER} logo rights"),
        (REP, "concede acme 25%"),  # past the cap: an alert
        (REP, f"get acme a {CUSTOMER} case study worth 1k"),
        (REP, f"coach acme {CUSTOMER} said the budget is gone"),
        (REP, f"flag acme ethics {CUSTOMER} buyer asked for a kickback"),
        (MANAGER, "flag acme clear ethics"),
        (REP, "status acme"), (MANAGER, "summary"), (MANAGER, "list all"),
        (REP, f"ask acme {CUSTOMER} " + "x" * 600),  # refused: too long
        (REP, f"frobnicate {CUSTOMER}"),  # refused: not a command
    ]:
        assert slack.command(command, user=user).status == 200
    slack.deliver()
    card_ts = standin.messages(CHANNEL, include_threads=False)[0].ts

    # The LLM fails once, then answers; its follow-ups arrive through the response URL.
    llm.fault = SERVER_ERROR
    slack.command(f"ask acme {CUSTOMER} need 12% off", user=REP)
    llm.answer(GOOD)
    slack.command(f"ask acme {CUSTOMER} need 15% off", user=REP)
    standin.wait_for(lambda: len(standin.responses()) >= 1, timeout=5)

    # A thread message read into a proposal, then logged; the shortcut; the price chart; App Home.
    thread_message(slack, card_ts, f"{CUSTOMER} want another 15% off before signing", "Ev-log-1")
    slack.deliver()
    found = [m for m in standin.ephemerals(REP) if any(b.get("type") == "actions" for b in m.blocks)]
    if found:
        slack.press(found[0].blocks, Action.LOG_ASK, user=REP, channel=CHANNEL,
                    response_url=standin.response_url("log"))
    assert slack.interactive(shortcut_payload(standin, card_ts, str(Shortcut.COACH_MESSAGE),
                                              f"{CUSTOMER}: can you do 30% off?")).status == 200
    status = slack.command("status acme", user=REP)
    slack.press(status.body["blocks"], Action.PRICE_CHART, user=REP, channel=CHANNEL)
    alert = standin.messages(ALERTS)[0]
    slack.press(alert.blocks, Action.TELL_WALK_AWAY, user=MANAGER, channel=ALERTS,
                message={"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks})

    # Slack refuses a post for good; a request arrives badly signed; one arrives that no listener handles.
    standin.fail_next("chat.postMessage", status=200, error="channel_not_found")
    slack.command(f"new beta list=90k floor=70k customer={CUSTOMER} Two", user=REP, channel="C0GONE")
    slack.deliver()
    body = command_body(f"ask acme {CUSTOMER} replayed", team_id=TEAM, user_id=REP, channel_id=CHANNEL)
    assert slack.post(body, FORM, signature="v0=" + "0" * 64).status == 401
    assert slack.post(body, FORM, timestamp=int(time.time()) - 600).status == 401
    unknown = shortcut_payload(standin, card_ts, "some-other-shortcut", f"{CUSTOMER} private words")
    assert slack.interactive(unknown).status < 500
    assert slack.post(urlencode({"payload": json.dumps({"type": "view_closed", "team": {"id": TEAM},
                                                        "user": {"id": REP}, "view": {
                                                            "type": "modal", "callback_id": "other",
                                                            "private_metadata": CUSTOMER}})}), FORM).status < 500
    slack.deliver()


def test_no_token_secret_or_customer_words_are_logged_at_info_or_above(secret_app, production_logging) -> None:  # noqa: ANN001
    slack, standin, llm = secret_app
    run_whole_flow(slack, standin, llm)
    shown = production_logging.shown(logging.INFO)
    assert shown, "the flow logs something at INFO or above (Slack's refusal at least), so the check has teeth"
    for line in shown:
        for secret in SECRETS:
            assert secret not in line, f"{secret!r} logged: {line[:2000]}"
    assert llm.requests, "the LLM coach was asked, so its client ran with the key"


# `dealcoach serve` as a process ----------------------------------------------------------------------------


def test_serve_logs_no_token_secret_or_customer_words(tmp_path: Path) -> None:
    llm = LLMStandIn()
    llm_url = llm.start()
    llm.answer(GOOD)
    port, log = free_port(), tmp_path / "serve.log"
    with SlackStandIn(token=BOT_TOKEN, team_id=TEAM) as standin:
        env = child_env(PORT=str(port),
                        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=standin.base_url or "", OPENAI_API_KEY=OPENAI_KEY,
                        OPENAI_BASE_URL=llm_url, DEALCOACH_MANAGERS=MANAGER, DEALCOACH_ALERT_CHANNEL=ALERTS,
                        DEALCOACH_WEB_WORKERS="1", DEALCOACH_WEB_THREADS="2", DEALCOACH_SCHEDULER="off")
        with open(log, "wb") as sink:
            process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env, stdout=sink,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                assert process.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, f"serve did not start:\n{log.read_text()[-3000:]}"
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            slack = SlackClient(url, SIGNING_SECRET, standin, None, team_id=TEAM)  # type: ignore[arg-type]
            for command in (f"new acme list=120k floor=83,417 customer={CUSTOMER}", f"ask acme {CUSTOMER} 10% off",
                            "concede acme 25%", f"coach acme {CUSTOMER} walked out", f"nonsense {CUSTOMER}"):
                assert slack.command(command, user=REP).status == 200
            raw = command_body(f"ask acme {CUSTOMER} unsigned", team_id=TEAM, user_id=REP, channel_id=CHANNEL).encode()
            assert post_raw(url, raw, {"content-type": FORM, **sign("wrong", raw)})[0] == 401
            unknown = shortcut_payload(standin, "1700000000.000100", "some-other-shortcut", f"{CUSTOMER} words")
            assert slack.interactive(unknown).status < 500
            assert standin.wait_for(lambda: standin.messages(ALERTS), timeout=10), log.read_text()[-3000:]
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            llm.stop()
    written = log.read_text(errors="replace")
    assert "serving on port" in written, written[-3000:]
    for secret in SECRETS:
        assert secret not in written, f"{secret!r} in serve's log:\n{written[-3000:]}"
