"""A bounded pool for work that waits on the LLM, so no request ever does.

Its threads wait on the network, not the CPU, so there are many; the queue in front of them is bounded,
and a full pool says so at once: the caller then answers with the offline coach instead of waiting.
The threads are started together (`start`, when the process starts serving), not one per submitted job
as a ThreadPoolExecutor does: a burst of coaching requests would otherwise start threads from inside
requests, each start waiting for the new thread to get the interpreter.

Jobs start at most one per `start_gap` (5 ms): fifty LLM requests built and sent in the same instant took the
process's two cores from the acknowledgements being answered beside them (measured, the slow-LLM storm of
`bench/serve_load.py --storm-only --runs 5`: `/deal status` p99 30 and 62 ms, median of five, on SQLite and
PostgreSQL; with the gap 22 and 27 ms). Spread over a quarter of a second, the follow-ups, which wait seconds on
the LLM anyway, arrive at most that much later."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from bot.llm.errors import LLMUnavailable

log = logging.getLogger(__name__)
WORKERS = 64  # LLM calls are waits on the network, not CPU: 50 at once must not queue
MAX_WAITING = 256  # running and queued together; beyond this, the offline advice is the answer
START_GAP_SECONDS = 0.005  # at most 200 LLM jobs started a second per process, far above a workspace's use

Job = Callable[[], object]  # what a job returns is dropped


class LLMPool:
    def __init__(self, *, workers: int = WORKERS, max_waiting: int = MAX_WAITING,
                 start_gap: float = START_GAP_SECONDS) -> None:
        self._workers = workers
        self._start_gap = start_gap
        self._next_start = 0.0  # time.monotonic() before which no other job starts
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(max_waiting)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Starts every thread now (idempotent); `submit` starts them too if nobody did."""
        with self._lock:
            while not self._closed and len(self._threads) < self._workers:
                thread = threading.Thread(target=self._serve, name=f"llm-{len(self._threads)}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def submit(self, job: Job) -> bool:
        """Runs `job` in the pool; False when the pool is full or closing (the caller answers offline)."""
        if self._closed or not self._slots.acquire(blocking=False):
            return False
        if len(self._threads) < self._workers:
            self.start()
        self._jobs.put(job)
        return True

    def shutdown(self) -> None:
        """Drops the jobs not yet started and lets each thread end after its current job."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
        for _ in threads:
            self._jobs.put(None)

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._wait_for_start()
            if self._closed:
                self._slots.release()
                continue
            self._run(job)

    def _wait_for_start(self) -> None:
        """Takes the next start time (`start_gap` after the last one) and sleeps until it comes."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._start_gap
        if start > now:
            time.sleep(start - now)

    def _run(self, job: Job) -> None:
        try:
            job()
        except LLMUnavailable as exc:
            log.info("LLM not used (%s); the offline answer stands", exc)
        except Exception:  # a bug must not kill the pool thread; the traceback goes to the error log
            log.exception("LLM follow-up failed")
        finally:
            self._slots.release()
