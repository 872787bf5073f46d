"""Servers on 127.0.0.1 for the stand-ins, tests and benchmarks: a threaded HTTP server on a thread of its own,
and a free port for a child process to listen on."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now (the child process given it binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# How long stop() may wait for the serving loop to look up: it checks for a shutdown between waits of this
# length. Short, because the tests start and stop a stand-in by the thousand; idle, it costs nothing to speak of.
POLL_SECONDS = 0.005

class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 (port 0: any free one), serving from a daemon thread once started.

    Its request threads are daemons, so a request still sleeping (a stall on purpose) never holds up the
    process's exit. It takes a burst of 50 connections at once: the backlog must be set on the class, since
    the constructor already listens, and with the default 5 the rest of a burst waits a second for TCP to
    retry its SYN."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, name: str) -> Self:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, name=name,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops accepting and closes the socket; requests still being answered finish on their own threads."""
        thread, self._thread = self._thread, None
        if thread is not None:  # shutdown() waits for serve_forever, so only once it was started
            self.shutdown()
            thread.join(timeout=5)
        self.server_close()
