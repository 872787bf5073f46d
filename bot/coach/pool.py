"""A bounded pool for work that waits on the LLM, so no request ever does.

Its threads wait on the network, not the CPU, so there are many; the queue in front of them is bounded,
and a full pool says so at once: the caller then answers with the offline coach instead of waiting."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.llm.client import LLMUnavailable

log = logging.getLogger(__name__)
WORKERS = 64  # LLM calls are waits on the network, not CPU: 50 at once must not queue
MAX_WAITING = 256  # beyond this, the offline advice is the answer


class LLMPool:
    def __init__(self, *, workers: int = WORKERS, max_waiting: int = MAX_WAITING) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm")
        self._slots = threading.BoundedSemaphore(max_waiting)

    def submit(self, job: Callable[[], None]) -> bool:
        """Runs `job` in the pool; False when the pool is full or closing (the caller answers offline)."""
        if not self._slots.acquire(blocking=False):
            return False
        try:
            self._executor.submit(self._run, job)
        except RuntimeError:  # shutting down
            self._slots.release()
            return False
        return True

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except LLMUnavailable as exc:
            log.info("LLM not used (%s); the offline answer stands", exc)
        except Exception:  # a bug must not kill the pool thread; the traceback goes to the error log
            log.exception("LLM follow-up failed")
        finally:
            self._slots.release()
