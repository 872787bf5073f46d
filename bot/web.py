"""The WSGI application `serve` runs: Slack's endpoint, a health check and, in OAuth mode, the install pages."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db.engine import READ_ONLY
from bot.db.repositories import database_answers

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.bootstrap import Container

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are a few kilobytes; views at most a few hundred


class SlackEndpoint(SlackRequestHandler):
    """Bolt's WSGI handler behind a gate for what Bolt would fail on before its own error handling (a server
    error): a timestamp or signature header not in Slack's shape (401, like any bad signature), a body that is
    not UTF-8 or that Bolt cannot read as an object (400 once signed). Everything else goes to Bolt as is,
    which checks the signature again."""

    def __init__(self, app: App, secret: str | None, path: str = SLACK_PATH) -> None:
        super().__init__(app, path=path)
        self._verifier = SignatureVerifier(secret) if secret else None

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = _read_body(request.environ)
        headers = request.get_headers()
        if raw is None:
            return _refusal(400, "bad request")
        if self._verifier is not None and not signed_by_slack(self._verifier, raw, headers):
            return _refusal(401, "invalid request")
        try:
            bolt_request = slack_request(raw.decode("utf-8"), request.query_string, headers)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:  # JSON and UTF-8 errors too
            log.warning("refused a signed request whose body is not a Slack payload (%s)", type(exc).__name__)
            return _refusal(400, "bad request")
        return self.app.dispatch(bolt_request)


def slack_request(body: str, query: str | None, headers: dict[str, Any]) -> BoltRequest:
    """Bolt's request for a body Slack sent. Bolt reads a form body with the word "payload" anywhere in it (a
    command's text: "they want payload encryption") as an interactive payload, finds none and sees an empty body,
    which no listener matches (404); such a body's own fields are read here instead."""
    request = BoltRequest(body=body, query=query, headers=headers)
    if not request.body and "payload" in body and not body.startswith("{"):
        fields = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" not in fields:
            request.body = fields
            request.context = build_context(BoltContext({}), fields)
    return request


def signed_by_slack(verifier: SignatureVerifier, raw: bytes, headers: dict[str, Any]) -> bool:
    """slack_sdk's check of Slack's `v0` signature (timestamp within five minutes); headers or a body it
    cannot read (not a number, not ASCII, not UTF-8) are simply not signed, never an exception."""
    stamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
    if not isinstance(stamp, str) or not isinstance(signature, str):
        return False
    try:
        return verifier.is_valid(body=raw, timestamp=stamp, signature=signature)
    except (ValueError, TypeError):  # int("…"), compare_digest on non-ASCII, a body not UTF-8
        return False


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request's bytes, or None when its length is not a number or is beyond any Slack payload."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length < 0 or length > MAX_BODY_BYTES:
        return None
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length else b""


def _refusal(status: int, error: str) -> BoltResponse:
    return BoltResponse(status=status, body=json.dumps({"error": error}),
                        headers={"content-type": "application/json"})


class WebApp:
    def __init__(self, slack: SlackRequestHandler, engine: Engine) -> None:
        # The check only reads: on SQLite it must not queue for the write lock behind busy writers.
        self._slack, self._engine = slack, engine.execution_options(**{READ_ONLY: True})
        # OAuth mode only: the Add to Slack page and Slack's redirect back, which Bolt's handler answers.
        flow = slack.app.oauth_flow
        self._install_paths = frozenset((flow.install_path, flow.redirect_uri_path)) if flow else frozenset()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if (path == SLACK_PATH and method == "POST") or (path in self._install_paths and method == "GET"):
            return self._slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            database_answers(self._engine)
        except SQLAlchemyError as exc:
            log.warning("health check: database unavailable (%s)", type(exc).__name__)
            return _json(start_response, "503 Service Unavailable", {"status": "unavailable", "database": "down"})
        return _json(start_response, "200 OK", {"status": "ok", "database": "ok"})


def _json(start_response: StartResponse, status: str, body: dict[str, str]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def make_wsgi(container: Container) -> WebApp:
    secret = container.settings.slack_signing_secret
    return WebApp(SlackEndpoint(container.app, secret.get_secret_value() if secret else None), container.engine)
