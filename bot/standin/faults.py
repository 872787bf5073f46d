"""Slack failing on purpose, method by method: rate limits, outages, refusals, stalls and slow answers."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass
class Fault:
    """How the next calls of a method fail, and for how many more calls."""

    status: int
    retry_after: int
    error: str | None
    remaining: int
    stall: float = 0.0  # seconds before answering, so a client with a shorter timeout gives up first
    carried_out: bool = False  # a stalled call still does what it asked (Slack posted, the answer was late)

    def describe(self) -> str:
        if self.stall:
            return f"stall {self.stall:g}s" + (" (carried out)" if self.carried_out else "")
        return f"{self.status} {self.error}" if self.error else str(self.status)


class FaultInjection:
    """The faults and delays tests ask for, queued per Web API method, and taken call by call."""

    def __init__(self) -> None:
        self._fault_lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = {}
        self._delays: dict[str, float] = {}

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        count: int = 1,
        error: str | None = None,
    ) -> None:
        """The next `count` calls of `method` fail: 429 rate limit, 5xx outage, or 200 with ok:false."""
        with self._fault_lock:
            self._faults.setdefault(method, deque()).append(Fault(status, retry_after, error, count))

    def stall_next(self, method: str, seconds: float, *, count: int = 1, carried_out: bool = False) -> None:
        """The next `count` calls of `method` answer only after `seconds`, as when Slack hangs: a client with a
        shorter timeout gives up first. By default the call is not carried out (the late answer is a 504);
        with `carried_out` it is, as when Slack posted the message but its answer never arrived."""
        with self._fault_lock:
            self._faults.setdefault(method, deque()).append(
                Fault(504, 0, None, count, stall=seconds, carried_out=carried_out))

    def delay(self, method: str, seconds: float) -> None:
        """Every later call of `method` waits this long before answering; 0 removes the delay."""
        with self._fault_lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def delay_of(self, method: str) -> float:
        with self._fault_lock:
            return self._delays.get(method, 0.0)

    def take_fault(self, method: str) -> Fault | None:
        """The fault this call of `method` meets, if any, counted as met."""
        with self._fault_lock:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault
