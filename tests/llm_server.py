"""A local OpenAI-compatible server for tests: the real openai client speaks real HTTP to it.

Tell it what to do next: answer with content, fail with a status, stall, or send malformed JSON."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.content: str = json.dumps({"sentences": ["Nothing to say."]})
        self.status = 200
        self.delay = 0.0
        self.malformed = False
        self.finish_reason = "stop"  # "length": the answer was cut off
        self.refusal: str | None = None  # the model declined (structured outputs' refusal field)
        self.by_schema: dict[str, str] = {}  # a structured-output schema's name -> the content to answer it
        self.next: list[str] = []  # contents to answer the next requests with, in order, before the others
        self._server: ThreadingHTTPServer | None = None

    def answer(self, payload: dict) -> None:
        self.content, self.status, self.delay, self.malformed = json.dumps(payload), 200, 0.0, False

    def answer_next(self, *payloads: dict) -> None:
        """Answers the next requests with these payloads, one each, then as before."""
        self.next += [json.dumps(payload) for payload in payloads]

    def answer_schema(self, schema: str, payload: dict) -> None:
        """Answers requests for this response schema (e.g. "OfferAnswer") with `payload`, others as before."""
        self.by_schema[schema] = json.dumps(payload)

    def requests_for(self, schema: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if _schema_name(r) == schema]

    def start(self) -> str:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                owner.requests.append(body)
                if owner.delay:
                    time.sleep(owner.delay)
                if owner.status != 200:
                    self._send(owner.status, b'{"error": {"message": "down", "type": "server_error"}}')
                    return
                if owner.malformed:
                    self._send(200, b'{"id": "x", "choices": [ {"message": ')
                    return
                completion = {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "test"),
                    "choices": [{"index": 0, "finish_reason": owner.finish_reason,
                                 "message": {"role": "assistant", "refusal": owner.refusal,
                                             "content": None if owner.refusal else owner._content(body)}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                self._send(200, json.dumps(completion).encode())

            def _send(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _content(self, body: dict[str, Any]) -> str:
        if self.next:
            return self.next.pop(0)
        return self.by_schema.get(_schema_name(body), self.content)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def serving(answer: dict) -> Iterator[FakeLLM]:
    """A started server answering `answer` (its base URL in `.url`), stopped afterwards: a fixture's body."""
    server = FakeLLM()
    server.url = server.start()  # type: ignore[attr-defined]
    server.answer(answer)
    yield server
    server.stop()


def _schema_name(body: dict[str, Any]) -> str:
    return str(((body.get("response_format") or {}).get("json_schema") or {}).get("name") or "")
