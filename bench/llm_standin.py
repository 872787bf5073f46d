"""A slow OpenAI-compatible LLM for the benchmarks: answers `POST …/chat/completions` after `delay` seconds.

The answer is structured output for the coach's schema (`CoachAnswer` in bot/coach/llm.py: a move and one
to three lines, each tied to a principle id of prompts/principles.toml), worded so the coach's guards let it
through (no price, no percentage, no floor, no verdict word in capitals). A request for any other schema gets
HTTP 400, so the app falls back to its offline writer. It counts requests and how many were waiting at once.

    python bench/llm_standin.py [--delay 2] [--port 8099]    # then OPENAI_BASE_URL=http://127.0.0.1:8099/v1
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from servers import BurstServer

COACH_ANSWER = {
    "move": "trade",
    "lines": [
        {"text": "I can look at that if we can agree on a two-year term.", "principle_id": "give-get"},
        {"text": "What does another month of delay cost your team?", "principle_id": "value-not-price"},
    ],
}
# A follow-up carrying this came from the LLM (the offline coach never says it).
COACH_MARKER = "two-year term"
COACH_SCHEMA = "CoachAnswer"


class LLMStandIn:
    """A threaded HTTP server; every request sleeps `delay` seconds on its own thread, then answers."""

    def __init__(self, delay: float = 2.0, host: str = "127.0.0.1", port: int = 0) -> None:
        self.delay = delay
        self._address = (host, port)
        self._lock = threading.Lock()
        self.requests = 0
        self.waiting = 0
        self.most_waiting = 0
        self._server: BurstServer | None = None

    def start(self) -> str:
        """Starts serving on a thread; returns the base URL for OPENAI_BASE_URL."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                owner._arrived()
                try:
                    time.sleep(owner.delay)
                    status, answer = completion(body)
                finally:
                    owner._left()
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = BurstServer(self._address, Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _arrived(self) -> None:
        with self._lock:
            self.requests += 1
            self.waiting += 1
            self.most_waiting = max(self.most_waiting, self.waiting)

    def _left(self) -> None:
        with self._lock:
            self.waiting -= 1


def completion(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for one chat.completions request."""
    schema = ((request.get("response_format") or {}).get("json_schema") or {}).get("name")
    if schema != COACH_SCHEMA:
        return 400, {"error": {"message": f"the stand-in only answers {COACH_SCHEMA}, not {schema}",
                               "type": "invalid_request_error"}}
    return 200, {
        "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
        "model": request.get("model", "bench"),
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": json.dumps(COACH_ANSWER)}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--delay", type=float, default=2.0, help="seconds before each answer (default 2)")
    parser.add_argument("--port", type=int, default=8099, help="port on 127.0.0.1 (default 8099)")
    args = parser.parse_args()
    standin = LLMStandIn(args.delay, port=args.port)
    print(f"OPENAI_BASE_URL={standin.start()} (answers after {args.delay} s; Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
