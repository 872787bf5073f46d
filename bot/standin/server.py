"""The Slack stand-in's HTTP side: its server on 127.0.0.1, the routes it answers (Web API methods, response URLs,
upload URLs), how it reads a request's parameters and how it writes Slack's replies."""

from __future__ import annotations

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.standin.faults import Fault, FaultInjection
from bot.standin.installs import Installs
from bot.standin.loopback import LoopbackServer
from bot.standin.methods import WebAPIMethods
from bot.standin.records import Call, Recorded
from bot.standin.refusals import Refusal, check_response_payload

# slack_sdk form-encodes these as JSON strings; tests want to inspect them as data.
JSON_STRING_FIELDS = ("blocks", "attachments", "view", "metadata", "files")

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

Reply = tuple[int, dict[str, str], bytes]


class Routes:
    """Answers each request the stand-in gets: a Web API call (authenticated, perhaps slowed or failed on
    purpose, then answered by its method), a post to a response URL, a file's bytes sent to an upload URL."""

    def __init__(self, installs: Installs, methods: WebAPIMethods, faults: FaultInjection, recorded: Recorded,
                 lock: threading.RLock) -> None:
        self._installs = installs
        self._methods = methods
        self._faults = faults
        self._recorded = recorded
        self._lock = lock

    def serve(self, verb: str, target: str, headers: Any, body: bytes) -> Reply:
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/api/") and verb in ("POST", "GET"):
            return self._serve_api(path.removeprefix("/api/"), parts.query, headers, body)
        if path.startswith("/respond/") and verb == "POST":
            return self._serve_response_url(unquote(path.removeprefix("/respond/")), body)
        if path.startswith("/upload/") and verb in ("POST", "PUT"):
            return self._serve_upload(path.removeprefix("/upload/"), body)
        return _text_reply(404, "not_found")

    def _serve_api(self, method: str, query: str, headers: Any, body: bytes) -> Reply:
        try:
            params = _decode_params(headers.get("Content-Type", ""), body, query)
        except Refusal as refusal:
            self._record(method, {})
            return _json_reply(200, {"ok": False, "error": refusal.error})
        authorization = headers.get("Authorization", "") or ""
        token = _token_of(authorization, params.pop("token", None))
        call = self._record(method, params, token)
        pause = self._faults.delay_of(method)
        if pause:
            time.sleep(pause)
        if method == "oauth.v2.access":  # the app's credentials, not a bot token
            return _json_reply(200, self._exchange(params, authorization))
        with self._lock:
            team = self._installs.team_of(token) if token else None
        if team is None:
            return _json_reply(200, {"ok": False, "error": "invalid_auth" if token else "not_authed"})
        fault = self._faults.take_fault(method)
        if fault is None:
            return _json_reply(200, self._methods.answer(method, params, team))
        with self._lock:
            call.fault = fault.describe()
        if fault.stall:
            time.sleep(fault.stall)
            if fault.carried_out:
                return _json_reply(200, self._methods.answer(method, params, team))
        return _fault_reply(fault)

    def _record(self, method: str, params: dict[str, Any], token: str | None = None) -> Call:
        call = Call(method, copy.deepcopy(params), time.monotonic(), token=token)
        with self._lock:
            self._recorded.calls.append(call)
        return call

    def _exchange(self, params: dict[str, Any], authorization: str) -> dict[str, Any]:
        with self._lock:
            try:
                return {"ok": True, **self._installs.exchange(params, authorization)}
            except Refusal as refusal:
                return {"ok": False, "error": refusal.error}

    def _serve_response_url(self, key: str, body: bytes) -> Reply:
        # Slack answers a bad response_url post with 4xx and a plain-text error word.
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            return _text_reply(400, "invalid_payload")
        if not isinstance(payload, dict):
            return _text_reply(400, "invalid_payload")
        try:
            check_response_payload(payload)
        except Refusal as refusal:
            return _text_reply(400, refusal.error)
        with self._lock:
            self._recorded.responses.append((key, payload))
        return _text_reply(200, "ok")

    def _serve_upload(self, file_id: str, body: bytes) -> Reply:
        with self._lock:
            upload = self._recorded.uploads.get(file_id)
            if upload is None:
                return _text_reply(404, "file_not_found")
            upload.data = body
        return _text_reply(200, f"OK - {len(body)}")


class StandInServer(LoopbackServer):
    """The stand-in's HTTP server: every request goes to its routes."""

    def __init__(self, routes: Routes) -> None:
        super().__init__(_RequestHandler)
        self.routes = routes


class _RequestHandler(BaseHTTPRequestHandler):
    """Thin HTTP shell: reads the body, lets the routes decide, writes the answer."""

    server_version = "SlackStandIn/1.0"
    server: StandInServer  # the server that made this handler

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.routes.serve(
            self.command, self.path, self.headers, body
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        # Tests and the demo print what matters themselves; per-request lines would drown it.
        return


# ----- request decoding and replies -------------------------------------------------------------------------


def _token_of(authorization: str, form_token: Any) -> str | None:
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ").strip() or None
    return str(form_token) if form_token else None


def _decode_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if "json" in content_type.lower():
        params.update(_json_body(body))
    elif "multipart" in content_type.lower():
        raise Refusal("invalid_form_data")
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for name in JSON_STRING_FIELDS:
        if name in params:
            params[name] = _maybe_json(params[name])
    return params


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        loaded = json.loads(body or b"{}")
    except ValueError:
        raise Refusal("invalid_json") from None
    if not isinstance(loaded, dict):
        raise Refusal("invalid_json")
    return loaded


def _maybe_json(value: Any) -> Any:
    if not isinstance(value, str) or value[:1] not in ("[", "{"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _json_reply(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": JSON_TYPE, **(headers or {})}, json.dumps(payload).encode("utf-8")


def _text_reply(status: int, text: str) -> Reply:
    return status, {"Content-Type": TEXT_TYPE}, text.encode("utf-8")


def _fault_reply(fault: Fault) -> Reply:
    if fault.status == 429:
        payload = {"ok": False, "error": fault.error or "ratelimited"}
        return _json_reply(429, payload, {"Retry-After": str(fault.retry_after)})
    if fault.status >= 500:
        return _text_reply(fault.status, fault.error or "")
    return _json_reply(fault.status, {"ok": False, "error": fault.error or "internal_error"})
