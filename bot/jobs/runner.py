"""Runs the sweeps on APScheduler while this process holds the scheduler lock; stands by otherwise."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.jobs.lock import SchedulerLock
from bot.services.digests import DigestService

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60


class JobRunner:
    def __init__(self, digests: DigestService, lock: SchedulerLock, *, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self._digests, self._lock, self._seconds = digests, lock, sweep_seconds
        self._scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="scheduler-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._stand_down()

    def sweep(self) -> None:
        """One pass of every job; APScheduler calls it, and so can a test."""
        digests = self._digests.queue_due_digests()
        nudges = self._digests.queue_nudges()
        if digests or nudges:
            log.info("scheduler queued %s digests and %s nudges", digests, nudges)

    def _watch(self) -> None:
        """Take the lock when it is free, run while it is held, stand by when it is lost."""
        while not self._stop.is_set():
            if self._lock.try_acquire():
                if self._scheduler is None:
                    self._take_over()
            elif self._scheduler is not None:
                self._stand_down()
            self._stop.wait(self._seconds)

    def _take_over(self) -> None:
        scheduler = BackgroundScheduler(timezone="UTC")
        # Sweeps look at what is due now, so a missed run is made up by the next: no need to pile them up.
        scheduler.add_job(self._safe_sweep, "interval", seconds=self._seconds, max_instances=1, coalesce=True,
                          next_run_time=datetime.now(UTC), id="sweep")
        scheduler.start()
        self._scheduler = scheduler
        log.info("this process now runs the scheduled jobs")

    def _stand_down(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._lock.release()

    def _safe_sweep(self) -> None:
        try:
            self.sweep()
        except Exception:  # the database may be away; the next sweep tries again, and the log says why
            log.exception("scheduled sweep failed; it will run again in %s s", self._seconds)

