"""Helpers for the fault-injection suite: `dealcoach serve` processes, a database of the suite's own, a TCP
proxy that can cut the app off from PostgreSQL or stall it, a Slack client for remote processes, and reply parsing.

Not a conftest: the test modules import what they use, so the root conftest stays the only one."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import create_postgres_database, drop_postgres_database, postgres_base_url
from processes import child_env, free_port
from slack_client import Answer, SlackClient, slack_payload

from bot.db.migrate import upgrade

STARTUP_SECONDS = 30
STOP_SECONDS = 10
SEVERITY = {"OK": 0, "PUSH BACK": 1, "ESCALATE": 2, "WALK AWAY": 3}


# Processes ---------------------------------------------------------------------------------------------


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class ServeProcess:
    """`python -m bot serve` in its own session, logging to a file in its working folder."""

    def __init__(self, workdir: Path, name: str, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        self._terminated = False
        env = child_env(PORT=str(self.port), **settings)
        with open(self.log, "wb") as sink:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=workdir, env=env,
                                            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def healthz(self, timeout: float = 5) -> int:
        return http_get(f"{self.url}/healthz", timeout)[0]

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited with {self.process.returncode} before answering:\n{self.output()}")
            with contextlib.suppress(OSError):
                if self.healthz(timeout=2) == 200:
                    return
            time.sleep(0.1)
        pytest.fail(f"serve did not answer /healthz within {STARTUP_SECONDS} s:\n{self.output()}")

    def terminate(self) -> None:
        if self.process.poll() is None and not self._terminated:
            self.process.send_signal(signal.SIGTERM)
            self._terminated = True

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: the master and its workers
                self.process.wait()
                return None
        return self.process.returncode


@contextlib.contextmanager
def serving(workdir: Path, names: list[str], **settings: str) -> Iterator[list[ServeProcess]]:
    """Starts one `serve` per name together on the same settings, waits until all are healthy."""
    processes: list[ServeProcess] = []
    try:
        for name in names:
            processes.append(ServeProcess(workdir, name, **settings))
        for process in processes:
            process.wait_healthy()
        yield processes
    finally:
        stop_all(processes)


def stop_all(processes: list[ServeProcess]) -> list[int | None]:
    """Stops all at once, then waits for each."""
    for process in processes:
        process.terminate()
    return [process.stop() for process in processes]


# A database of our own ---------------------------------------------------------------------------------


@contextlib.contextmanager
def own_database(folder: Path, *, migrate: bool = True) -> Iterator[str]:
    """A fresh database no other test truncates: a SQLite file in `folder`, or, when the run is on
    PostgreSQL, a new database on that server, dropped afterwards."""
    base = postgres_base_url()
    if base is None:
        url = f"sqlite:///{folder / 'faults.db'}"
        if migrate:
            upgrade(url)
        yield url
        return
    url = create_postgres_database(base)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        drop_postgres_database(base, url)


# Cutting the database off ----------------------------------------------------------------------------


class TCPProxy:
    """Forwards 127.0.0.1:<port> to a server. `cut()` drops every open connection and turns new ones away
    (as a stopped server or a broken network does); `restore()` lets them through again. `stall()` is a network
    partition as the client sees it: connections stay open and new ones are accepted, bytes sent are taken but
    nothing arrives either way; `resume()` delivers what was held (TCP's retransmissions after the partition
    heals) and forwards again."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # so the accept loop sees it is closed
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._closed = False
        self._flowing = threading.Event()
        self._flowing.set()
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    def __enter__(self) -> TCPProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._closed = True
        self._flowing.set()  # held pumps go on, and end with their sockets
        self._listener.close()
        self._drop_all()
        self._thread.join(5)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
        self._drop_all()

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def stall(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def _drop_all(self) -> None:
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                cut = self._cut
            if cut:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:  # a cut since the check above must still drop this pair
                kept = not self._cut
                if kept:
                    self._open.update((client, upstream))
            if not kept:
                client.close()
                upstream.close()
                continue
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


# Slack, played against a remote process -----------------------------------------------------------


class RemoteSlack(SlackClient):
    """A SlackClient for a `serve` process: its own worker delivers, so there is nothing to drain here."""

    def __init__(self, server: str, secret: str, standin: Any, *, team_id: str) -> None:
        super().__init__(server, secret, standin, None, team_id=team_id)  # type: ignore[arg-type]

    def deliver(self) -> None:
        return None


def message_event(team: str, event_id: str, *, user: str, channel: str, thread_ts: str, text: str,
                  ts: str) -> dict[str, Any]:
    """Slack's own message event body, as a reply in a thread."""
    body = copy.deepcopy(slack_payload("test_message__message_body"))
    body.update(team_id=team, event_id=event_id)
    body.pop("enterprise_id", None)
    body["event"].update(text=text, user=user, channel=channel, ts=ts, thread_ts=thread_ts, team=team)
    return body


def retry_headers(n: int) -> dict[str, str] | None:
    return {"x-slack-retry-num": str(n), "x-slack-retry-reason": "http_timeout"} if n else None


# Reading replies -----------------------------------------------------------------------------------------

_VERDICT = re.compile(r"Verdict: \*(OK|PUSH BACK|ESCALATE|WALK AWAY)\*")
_MONEY = r"\$([0-9,]+(?:\.[0-9]+)?)"


def verdict_of(answer: Answer) -> str | None:
    found = _VERDICT.search(answer.text)
    return found.group(1) if found else None


def figure(answer: Answer, label: str) -> float | None:
    """A figure of the reply's figures line: "Net", "Effective", "List" (money) or "Gives" (a count)."""
    pattern = rf"{label} (\d+)" if label in ("Gives", "gets") else rf"{label} {_MONEY}"
    found = re.search(pattern, answer.text)
    return float(found.group(1).replace(",", "")) if found else None


def has_actions(message: Any) -> bool:
    return any(block.get("type") == "actions" for block in message.blocks)


def rendered(message: Any) -> str:
    return message.text + " " + json.dumps(message.blocks, ensure_ascii=False)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


@dataclass
class Timed:
    answer: Answer
    seconds: float
    replica: int = 0  # which of several servers answered, when the caller says


def timed(call: Any, *args: Any, **kwargs: Any) -> Timed:
    started = time.monotonic()
    answer = call(*args, **kwargs)
    return Timed(answer, time.monotonic() - started)
