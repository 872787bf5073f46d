"""The HTTP surface `serve` exposes: /healthz, Slack's request signing on /slack/events, events, and 404s.

Everything goes over a real loopback socket to the real WSGI app (the `server` fixture, or one built here)."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from conftest import CHANNEL, REP, SIGNING_SECRET, TEAM, make_settings
from slack_client import SlackClient, slack_payload
from slack_sdk.signature import Clock, SignatureVerifier
from sqlalchemy import func, select
from sqlmodel import SQLModel

import bot.db.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from bot.bootstrap import Container, build
from bot.config import Settings
from bot.standin import SlackStandIn
from bot.standin.loopback import POLL_SECONDS
from bot.standin.requests import RequestSigner, command_body
from bot.web import make_wsgi

HEADERS = Path(__file__).resolve().parents[1] / "fixtures" / "slack" / "payloads" / "headers"
FORM = "application/x-www-form-urlencoded"
FIVE_MINUTES = 5 * 60


# Helpers ---------------------------------------------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(container: Container) -> Iterator[str]:
    """The real WSGI app of `container` on a loopback port; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, make_wsgi(container), handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def http(method: str, url: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def row_counts(container: Container) -> dict[str, int]:
    """Rows in every table of the app: what a request has recorded."""
    with container.engine.connect() as connection:
        return {name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in SQLModel.metadata.tables.items()}


def headers_example(name: str) -> dict[str, str]:
    examples = json.loads((HEADERS / "retry_headers.json").read_text(encoding="utf-8"))["examples"]
    return next(example["headers"] for example in examples if example["name"] == name)


def message_event(event_id: str) -> dict[str, Any]:
    """Slack's own message event body, moved into our test workspace and channel."""
    body = slack_payload("test_message__message_body")
    body.pop("enterprise_id", None)
    body.update(team_id=TEAM, event_id=event_id, event_time=int(time.time()))
    body["event"].update(team=TEAM, channel=CHANNEL, user=REP)
    return body


def new_deal_body(standin: SlackStandIn) -> str:
    return command_body("new acme list=120k floor=90k", team_id=TEAM, user_id=REP, channel_id=CHANNEL,
                        response_url=standin.response_url("signing"))


# /healthz --------------------------------------------------------------------------------------------


def test_healthz_answers_200_ok_when_the_database_answers(server: str) -> None:
    status, headers, raw = http("GET", f"{server}/healthz")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(raw)["status"] == "ok"


@pytest.mark.parametrize("unreachable", [
    pytest.param("postgresql://postgres@127.0.0.1:1/dealcoach", id="postgresql-port-nothing-listens-on"),
    pytest.param("sqlite:////nonexistent-dealcoach-dir/missing/dealcoach.db",
                 id="sqlite-in-a-missing-directory"),
])
def test_healthz_answers_503_with_a_json_body_when_the_database_is_unreachable(standin: SlackStandIn,
                                                                                unreachable: str) -> None:
    container = build(make_settings(standin, unreachable), pace_seconds=0)
    try:
        with serving(container) as url:
            started = time.monotonic()
            status, headers, raw = http("GET", f"{url}/healthz")
            elapsed = time.monotonic() - started
    finally:
        container.close()
    assert status == 503
    assert headers["Content-Type"].startswith("application/json")
    body = json.loads(raw)
    assert body.get("status") != "ok"
    assert elapsed < 8, "a load balancer's health check must not hang on a dead database"


# Request signing ----------------------------------------------------------------------------------------


def test_slacks_documented_signature_test_vector_verifies_with_slack_sdk() -> None:
    """Sanity of our fixtures and of the signer the tests use: Slack's own example checks out."""
    vector = json.loads((HEADERS / "signature_test_vector_slash_command.json").read_text(encoding="utf-8"))
    stamp, signature = vector["headers"]["X-Slack-Request-Timestamp"], vector["headers"]["X-Slack-Signature"]

    class _Then(Clock):
        def now(self) -> float:
            return float(stamp)

    verifier = SignatureVerifier(vector["signing_secret"], clock=_Then())
    assert verifier.is_valid(vector["body"], stamp, signature)
    assert verifier.is_valid_request(vector["body"], vector["headers"])
    assert not verifier.is_valid(vector["body"] + "&x=1", stamp, signature)
    signer = RequestSigner(vector["signing_secret"])
    signed = signer.sign(vector["body"], content_type=FORM, timestamp=int(stamp))
    assert signed.headers["x-slack-signature"] == signature


def test_slacks_signed_example_request_replayed_today_is_refused_as_too_old(standin: SlackStandIn,
                                                                             database_url: str) -> None:
    """The test vector is a correctly signed request from 2018: the signature matches, the age does not."""
    vector = json.loads((HEADERS / "signature_test_vector_slash_command.json").read_text(encoding="utf-8"))
    container = build(make_settings(standin, database_url, SLACK_SIGNING_SECRET=vector["signing_secret"]),
                      pace_seconds=0)
    try:
        with serving(container) as url:
            status, _, _ = http("POST", f"{url}/slack/events", vector["body"].encode(),
                                {"Content-Type": vector["content_type"], **vector["headers"]})
        assert status == 401
        assert sum(row_counts(container).values()) == 0
    finally:
        container.close()


def test_a_bad_signature_is_refused_with_401_and_nothing_is_recorded(slack: SlackClient, container: Container,
                                                                      standin: SlackStandIn) -> None:
    body = new_deal_body(standin)
    refused = slack.post(body, FORM, signature="v0=" + "0" * 64)
    assert refused.status == 401
    slack.deliver()
    assert sum(row_counts(container).values()) == 0
    assert standin.calls == [] and standin.responses() == []

    # The same body, signed properly, is a good command: only the signature was wrong.
    accepted = slack.post(body, FORM)
    assert accepted.status == 200 and "Verdict" in accepted.text
    assert row_counts(container)["deal"] == 1


def test_a_request_signed_with_another_secret_is_refused_with_401(server: str, container: Container,
                                                                   standin: SlackStandIn) -> None:
    body = new_deal_body(standin)
    signed = RequestSigner("not-" + SIGNING_SECRET).sign(body, content_type=FORM)
    status, _, _ = http("POST", f"{server}/slack/events", body.encode(), signed.headers)
    assert status == 401
    assert row_counts(container)["deal"] == 0


def test_an_unsigned_request_is_refused_with_401(server: str, container: Container,
                                                 standin: SlackStandIn) -> None:
    body = new_deal_body(standin).encode()
    status, _, _ = http("POST", f"{server}/slack/events", body, {"Content-Type": FORM})
    assert status == 401
    assert row_counts(container)["deal"] == 0


@pytest.mark.parametrize("offset", [-(FIVE_MINUTES + 60), FIVE_MINUTES + 60],
                         ids=["6-minutes-old", "6-minutes-ahead"])
def test_a_timestamp_more_than_five_minutes_off_is_refused_with_401(
        slack: SlackClient, container: Container, standin: SlackStandIn, offset: int) -> None:
    answer = slack.post(new_deal_body(standin), FORM, timestamp=int(time.time()) + offset)
    assert answer.status == 401
    assert sum(row_counts(container).values()) == 0


def test_a_timestamp_four_minutes_old_is_still_accepted(slack: SlackClient, container: Container,
                                                        standin: SlackStandIn) -> None:
    answer = slack.post(new_deal_body(standin), FORM, timestamp=int(time.time()) - 4 * 60)
    assert answer.status == 200
    assert row_counts(container)["deal"] == 1


# Events --------------------------------------------------------------------------------------------------


def test_the_url_verification_challenge_is_answered(slack: SlackClient) -> None:
    body = slack_payload("test_events_url_verification__event_body")
    answer = slack.event(body)
    assert answer.status == 200
    challenge = answer.body.get("challenge", answer.body.get("_raw"))
    assert challenge == body["challenge"]


def test_a_message_event_is_acknowledged_with_200(slack: SlackClient) -> None:
    assert slack.event(message_event("Ev0MESSAGE1")).status == 200


@pytest.mark.parametrize("example", ["retry_1_http_timeout", "retry_2_http_timeout_bolt_python_test",
                                     "retry_3_http_error"])
def test_a_retried_event_with_slack_retry_headers_is_acknowledged_with_200(slack: SlackClient,
                                                                           example: str) -> None:
    event = message_event("Ev0RETRIED")
    assert slack.event(event).status == 200
    retry = {k: v for k, v in headers_example(example).items() if k.startswith("x-slack-retry")}
    assert retry, "the fixture should carry Slack's retry headers"
    assert slack.event(event, headers=retry).status == 200


def test_a_signed_request_with_a_body_that_is_not_slacks_gets_a_4xx_not_a_crash(slack: SlackClient) -> None:
    answer = slack.post(urlencode({"nothing": "useful"}), FORM)
    assert 400 <= answer.status < 500


# Everything else -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"), ("GET", "/nope"), ("POST", "/nope"), ("GET", "/slack/events/extra"), ("POST", "/slack"),
    ("GET", "/healthz/deep"),
])
def test_unknown_paths_answer_404(server: str, method: str, path: str) -> None:
    status, headers, raw = http(method, f"{server}{path}", b"" if method == "POST" else None)
    assert status == 404
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(raw)


def test_one_workspace_with_its_token_in_the_environment_starts_without_a_misleading_bolt_warning(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """SLACK_BOT_TOKEN set and the client built with it: Bolt's "`token` will be unused" would only mislead."""
    assert settings.slack_bot_token is not None
    monkeypatch.setenv("SLACK_BOT_TOKEN", settings.slack_bot_token.get_secret_value())
    with caplog.at_level(logging.WARNING):
        build(settings).close()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")] == []


def test_a_command_whose_words_say_payload_is_answered_like_any_other(slack: SlackClient, container: Container) -> None:
    """Bolt takes a form body with "payload" anywhere in it for an interactive payload; a rep's words may say it."""
    opened = slack.command("new payload-acme list=100k floor=80k customer=Payload Inc", user=REP)
    assert opened.status == 200 and "Verdict" in opened.text
    asked = slack.command("ask payload-acme they want payload encryption included for free", user=REP)
    assert asked.status == 200 and asked.body["text"].startswith("payload-acme: ")
    assert row_counts(container)["ledger_entry"] == 1
