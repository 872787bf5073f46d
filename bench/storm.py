"""The slow-LLM storm for `bench/serve_load.py`: many `/deal coach` at once while `/deal status` goes on.

`slow_llm()` is the LLM the storm's server talks to (bot/standin/llm.py): it answers the coach's structured
output after a delay and refuses any other schema, so the app falls back to its offline writer there.
`FollowUps` is the local HTTP receiver the coach requests' `response_url`s point at: it records when each LLM
follow-up arrived and whether it carries the LLM's phrasing. `fire()` sends the coach requests at the
same instant (one thread and one open connection each, released together by a barrier) and returns each
acknowledgement's latency.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from servers import VERDICT, Client, reply_text

from bot.standin.llm import LLMStandIn
from bot.standin.loopback import LoopbackServer
from bot.standin.requests import RequestSigner

# The coach's structured output (`CoachAnswer` in bot/coach/llm.py: a move and one to three lines, each tied to a
# principle id of prompts/principles.toml), worded so the coach's guards let it through (no price, no
# percentage, no floor, no verdict word in capitals).
COACH_SCHEMA = "CoachAnswer"
COACH_ANSWER = {
    "move": "trade",
    "lines": [
        {"text": "I can look at that if we can agree on a two-year term.", "principle_id": "give-get"},
        {"text": "What does another month of delay cost your team?", "principle_id": "value-not-price"},
    ],
}
# The storm coaches the same deals in every run, and the coach drops a line alike one it showed on that deal
# before (then asks again): the stand-in varies its words as a model does, 81 trades and 35 questions built from
# parts, no two alike by the coach's own measure, so every run's answers can be used.
_CONDITIONS = ("If you sign before the quarter closes", "With a two-year term from you",
               "Should your team pay up front for the year", "If your name can go on a case study",
               "Once we add the second team to the order", "If you can give us a reference call",
               "With a joint launch announcement", "If legal can turn the paper around this week",
               "If you can host a site visit for a prospect")
_OFFERS = ("I will take this to my team", "I can see what is possible", "there is room to talk about it",
           "I am open to looking at that", "we can revisit the terms together",
           "I will ask my manager for flexibility", "that request becomes easier to support",
           "let us put it on the table", "I can make a case for it internally")
_STEMS = ("What does it cost your team when", "Who on your side feels it when", "How does your quarter change if",
          "How much time is lost each week while", "What would your leadership say if")
_TOPICS = ("the rollout slips another month", "reports still take a day to build", "the old system stays in place",
           "onboarding new staff stays manual", "your analysts keep fixing data by hand", "customers wait on answers",
           "the launch moves past the summer")
TRADES = tuple(f"{condition}, {offer}." for condition in _CONDITIONS for offer in _OFFERS)
QUESTIONS = tuple(f"{stem} {topic}?" for stem in _STEMS for topic in _TOPICS)


def varied_answer(i: int) -> dict[str, object]:
    """The `i`th answer: the trades and questions each in turn, so a deal's next answers differ from its last."""
    return {"move": "trade", "lines": [
        {"text": TRADES[i % len(TRADES)], "principle_id": "give-get"},
        {"text": QUESTIONS[i % len(QUESTIONS)], "principle_id": "value-not-price"}]}


# A follow-up carrying this came from the LLM (the offline coach's says "Answered by the offline coach").
COACH_MARKER = "Answered by the LLM coach"


def slow_llm(delay: float, answers: int = 5_000) -> LLMStandIn:
    """An LLM answering the coach after `delay` seconds, each request on its own thread, over kept-alive
    connections as a real server's, its words varied for its first `answers` requests; not started."""
    llm = LLMStandIn(delay=delay, keep_alive=True)
    llm.answer_next(*(varied_answer(i) for i in range(answers)))
    llm.answer_schema(COACH_SCHEMA, COACH_ANSWER)
    llm.refuse_other_schemas()
    return llm


class FollowUps:
    """Records POSTs to /coach/<key>: when they arrived (time.monotonic) and whether `marker` is in them."""

    def __init__(self, marker: str) -> None:
        self._marker = marker
        self._lock = threading.Lock()
        self.arrivals: dict[str, tuple[float, bool]] = {}
        self._server: LoopbackServer | None = None

    def start(self) -> str:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner._record(self.path, arrived, owner._marker.encode() in body)
                data = b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = LoopbackServer(Handler).start("storm-follow-ups")
        return self._server.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def _record(self, path: str, arrived: float, from_llm: bool) -> None:
        with self._lock:
            self.arrivals.setdefault(path, (arrived, from_llm))  # the first POST to a URL is the follow-up

    def received(self, keys: list[str]) -> dict[str, tuple[float, bool]]:
        with self._lock:
            return {key: self.arrivals[key] for key in keys if key in self.arrivals}

    def wait(self, keys: list[str], timeout: float) -> dict[str, tuple[float, bool]]:
        """Waits until every key has arrived or `timeout` seconds passed; returns those that arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.received(keys)) < len(keys):
            time.sleep(0.02)
        return self.received(keys)


@dataclass(frozen=True)
class Ack:
    ms: float
    ok: bool  # HTTP 200 with a verdict in the reply
    error: str = ""


def fire(port: int, signer: RequestSigner, requests: list[tuple[str, str, str]]) -> tuple[float, list[Ack]]:
    """Sends (user, text, response_url) requests at the same instant; returns when they were released
    (time.monotonic) and each acknowledgement."""
    clients = [Client(port, signer, response_url) for _, _, response_url in requests]
    for client in clients:
        client.connect()
    barrier = threading.Barrier(len(requests) + 1)
    acks: list[Ack | None] = [None] * len(requests)

    def send(index: int) -> None:
        user, text, _ = requests[index]
        barrier.wait()
        try:
            status, payload, ms = clients[index].send(user, text)
            ok = bool(VERDICT.search(reply_text(status, payload)))
            acks[index] = Ack(ms, ok, "" if ok else f"HTTP {status}: {payload[:100]!r}")
        except Exception as exc:  # noqa: BLE001 - a failed request is a counted error
            acks[index] = Ack(float("nan"), False, f"{type(exc).__name__}: {exc}"[:120])
        finally:
            clients[index].close()

    threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    barrier.wait()
    released = time.monotonic()
    for thread in threads:
        thread.join()
    return released, [ack or Ack(float("nan"), False, "no answer") for ack in acks]
