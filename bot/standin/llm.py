"""A local OpenAI-compatible server for tests and benchmarks: the real openai client speaks real HTTP to it.

It answers `POST …/chat/completions` with structured output: one answer for every request, one per response
schema, or a sequence for the next requests. It fails on purpose (an HTTP error, a body no client can read, a
stall), can wait a fixed delay before every answer, and records each request's body and how many waited at once.

    with LLMStandIn() as llm:           # llm.url is the OPENAI_BASE_URL
        llm.answer({"move": "trade", "lines": [...]})
        llm.fault = SERVER_ERROR          # every request fails until the next answer()
        llm.fail_next(rate_limited(3))    # only the next request fails
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from bot.standin.loopback import LoopbackServer

JSON = "application/json"


@dataclass(frozen=True)
class Fault:
    """An answer that is no completion: an HTTP error, or a body the openai client cannot read."""

    status: int
    body: str
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()


SERVER_ERROR = Fault(500, '{"error": {"message": "down", "type": "server_error"}}')
# No Retry-After: the openai client waits by its own backoff and tries once more.
RATE_LIMITED = Fault(429, '{"error": {"message": "slow down", "type": "rate_limit_exceeded"}}')
# A 200 whose JSON stops mid-object, as from a proxy that cut the answer off.
MALFORMED = Fault(200, '{"id": "x", "choices": [ {"message": ')


def rate_limited(retry_after: int) -> Fault:
    """A 429 telling the client to come back after `retry_after` seconds."""
    return Fault(RATE_LIMITED.status, RATE_LIMITED.body, headers=(("Retry-After", str(retry_after)),))


@dataclass(frozen=True)
class _Stall:
    seconds: float


_Step = str | Fault | _Stall  # how one queued request is answered: content, a fault, or a stall
_Reply = tuple[int, str, str, tuple[tuple[str, str], ...]]  # status, body, content type, other headers


class LLMStandIn:
    """Answers like an OpenAI-compatible server; its settings may change while it runs.

    Each request is answered by the next queued step (`answer_next`, `fail_next`, `stall_next`), else by the
    standing `fault`, else by the answer for its schema (`answer_schema`), else by `answer`. `delay` seconds
    pass before every answer. With `keep_alive`, it speaks HTTP/1.1 and keeps connections open, as a real
    server does (the benchmarks); without, it closes each after its answer, so a stopped stand-in refuses
    the next request at once (the tests)."""

    def __init__(self, *, delay: float = 0.0, keep_alive: bool = False) -> None:
        self.content: str | None = json.dumps({"sentences": ["Nothing to say."]})
        self.by_schema: dict[str, str] = {}  # a structured-output schema's name -> the content answering it
        self.fault: Fault | None = None
        self.delay = delay
        self.finish_reason = "stop"  # "length": the answer was cut off
        self.refusal: str | None = None  # the model declined (structured outputs' refusal field)
        self.requests: list[dict[str, Any]] = []  # each request's JSON body, in arrival order
        self.most_waiting = 0  # the most requests being answered at once
        self.url = ""
        self._keep_alive = keep_alive
        self._queued: deque[_Step] = deque()
        self._waiting = 0
        self._last_arrival = 0.0
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None

    # ----- what to answer ----------------------------------------------------------------------------------

    def answer(self, payload: dict[str, Any] | str) -> None:
        """From now on every request gets `payload` (a str is sent as it is: prose, say), at once: a standing
        fault or delay ends."""
        self.content = payload if isinstance(payload, str) else json.dumps(payload)
        self.fault, self.delay = None, 0.0

    def answer_schema(self, schema: str, payload: dict[str, Any]) -> None:
        """Answers requests for this response schema (e.g. "OfferAnswer") with `payload`, others as before."""
        self.by_schema[schema] = json.dumps(payload)

    def refuse_other_schemas(self) -> None:
        """A request for a schema without `answer_schema` gets HTTP 400, so the app falls back offline."""
        self.content = None

    def answer_next(self, *payloads: dict[str, Any]) -> None:
        """Answers the next requests with these payloads, one each, then as before."""
        with self._lock:
            self._queued.extend(json.dumps(payload) for payload in payloads)

    def fail_next(self, fault: Fault, *, count: int = 1) -> None:
        """The next `count` requests meet `fault`, then the stand-in answers as before."""
        with self._lock:
            self._queued.extend([fault] * count)

    def stall_next(self, seconds: float) -> None:
        """The next request is answered only after `seconds`, as when the model hangs."""
        with self._lock:
            self._queued.append(_Stall(seconds))

    # ----- what it was asked -------------------------------------------------------------------------------

    def requests_for(self, schema: str) -> list[dict[str, Any]]:
        return [request for request in self.requests if _schema_name(request) == schema]

    def quiet(self, seconds: float) -> None:
        """Waits until no request has come for `seconds`: the app's calls are over, so none of them logs after
        a test has ended."""
        while self.requests and time.monotonic() - self._last_arrival < seconds:
            time.sleep(0.1)

    # ----- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> str:
        """Serves on a free port of 127.0.0.1; returns the base URL for OPENAI_BASE_URL (also in `url`)."""
        if self._server is None:
            self._server = LoopbackServer(_handler(self)).start("llm-standin")
            self.url = f"{self._server.url}/v1"
        return self.url

    def stop(self) -> None:
        """Stops listening (later requests are refused); may be called again."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> LLMStandIn:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----- answering (on the server's threads) -------------------------------------------------------------

    def _arrived(self, body: dict[str, Any]) -> _Step | None:
        with self._lock:
            self.requests.append(body)
            self._last_arrival = time.monotonic()
            self._waiting += 1
            self.most_waiting = max(self.most_waiting, self._waiting)
            return self._queued.popleft() if self._queued else None

    def _left(self) -> None:
        with self._lock:
            self._waiting -= 1

    def _reply(self, body: dict[str, Any], step: _Step | None) -> _Reply:
        if self.delay:
            time.sleep(self.delay)
        if isinstance(step, _Stall):
            time.sleep(step.seconds)
            step = None
        fault = step if isinstance(step, Fault) else self.fault if step is None else None
        if fault is not None:
            return fault.status, fault.body, fault.content_type, fault.headers
        content = step if isinstance(step, str) else self.by_schema.get(_schema_name(body), self.content)
        if content is None:
            error = {"message": f"the stand-in only answers {', '.join(self.by_schema)}, not {_schema_name(body)}",
                     "type": "invalid_request_error"}
            return 400, json.dumps({"error": error}), JSON, ()
        return 200, json.dumps(self._completion(body, content)), JSON, ()

    def _completion(self, body: dict[str, Any], content: str) -> dict[str, Any]:
        message = {"role": "assistant", "refusal": self.refusal, "content": None if self.refusal else content}
        return {
            "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "standin"),
            "choices": [{"index": 0, "finish_reason": self.finish_reason, "message": message}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }


def _handler(standin: LLMStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if standin._keep_alive else "HTTP/1.0"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            step = standin._arrived(body)
            try:
                status, text, content_type, headers = standin._reply(body, step)
            finally:
                standin._left()
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def _schema_name(body: dict[str, Any]) -> str:
    return str(((body.get("response_format") or {}).get("json_schema") or {}).get("name") or "")
