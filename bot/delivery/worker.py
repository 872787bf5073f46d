"""The outbox worker: claims due messages, has `senders` send each, and retries Slack's errors with a backoff."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.error import URLError

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.db.uow import UnitOfWorkFactory
from bot.delivery.clients import TeamClients
from bot.delivery.queue import Job, OutboxQueue
from bot.delivery.senders import SENDERS, Permanent, Senders
from bot.messages import (
    MalformedPayload,
    MessageKind,
    load,
)
from bot.render import words
from bot.services.deals import utc_now
from bot.services.exports import ExportService
from bot.services.home import HomeService
from bot.services.installs import UNINSTALLED, NotInstalled
from bot.services.summaries import SummaryService

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.05  # a channel gets a message a second at most: 50 ms more costs nothing

MAX_ATTEMPTS = 12
MAX_BACKOFF_SECONDS = 300
# Errors a retry cannot fix: the message or the channel is wrong, not the moment.
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "no_text", "invalid_auth", "not_authed", "account_inactive", "restricted_action",
    "message_not_found", "cant_update_message", "user_not_found", "team_access_not_granted", "token_revoked",
    "token_expired",
})


class OutboxWorker:
    def __init__(self, queue: OutboxQueue, uow: UnitOfWorkFactory, clients: TeamClients, *,
                 summaries: SummaryService | None = None, home: HomeService | None = None,
                 exports: ExportService | None = None, clock: Callable[[], datetime] = utc_now,
                 poll_seconds: float = 1.0) -> None:
        # Each message goes out with its workspace's client (in OAuth mode, its own bot token).
        self._queue, self._uow, self._clients, self._clock = queue, uow, clients, clock
        self._senders = Senders(uow, clock, summaries=summaries, home=home, exports=exports)
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Running ------------------------------------------------------------------------------------

    def notify(self) -> None:
        """Called after a commit that queued something, so delivery starts now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="outbox-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def drain(self, timeout: float = 15.0) -> None:
        """Deliver until nothing is due (the demo, the console and tests use it in place of the thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.run_once():
                return
        raise TimeoutError("outbox still had due messages after the drain timeout")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                delivered = self.run_once()
            except Exception:  # the database may be down for a while; keep the worker alive
                log.exception("outbox worker could not claim messages; retrying")
                delivered = 0
            if not delivered:
                woken = self._wake.wait(self._poll)
                self._wake.clear()
                if woken:
                    # Under load commits arrive in bursts: one claim for the burst rather than one per commit
                    # (a claim is a write transaction; on SQLite it queues with the requests for the one lock).
                    self._stop.wait(COALESCE_SECONDS)
                    self._wake.clear()

    def run_once(self) -> int:
        jobs = self._queue.claim(self._clock())
        for job in jobs:
            self._deliver(job)
        return len(jobs)

    # One job ------------------------------------------------------------------------------------

    def _deliver(self, job: Job) -> None:
        try:
            payload = load(job.kind, job.payload)
        except MalformedPayload as bad:  # queued by a bug, or written by hand: no retry can fix it
            log.error("outbox %s %s not sent: %s", job.kind, job.id, bad)
            self._failed(job, self._clock(), str(bad))
            return
        # Waits count from when the failure was known, not from when the attempt began: a call that
        # timed out after 10 s would otherwise be retried at once, its 2, 4, 8 s of backoff already spent.
        try:
            slack = self._clients.for_team(job.team_id, retries=False)
            note = SENDERS[MessageKind(job.kind)](self._senders, job, payload, slack)
        except NotInstalled:  # uninstalled meanwhile: this message cannot go out, whatever the moment
            self._queue.failed(job, self._clock(), UNINSTALLED)
            return
        except Permanent as refusal:
            log.warning("outbox %s %s refused: %s", job.kind, job.id, refusal)
            self._failed(job, self._clock(), str(refusal))
            return
        except SlackApiError as exc:
            self._slack_error(job, exc, self._clock())
            return
        except (URLError, TimeoutError, ConnectionError, OSError) as exc:
            self._again(job, self._clock(), f"network: {exc}")
            return
        except SQLAlchemyError as exc:  # the database is away for a while: like the network, try again later
            self._again(job, self._clock(), f"database: {type(exc).__name__}")
            return
        except Exception as exc:  # a bug: retrying cannot help; fail it loudly, keep delivering the others
            log.exception("outbox %s %s failed for good on an unexpected error", job.kind, job.id)
            self._failed(job, self._clock(), f"unexpected: {type(exc).__name__}")
            return
        self._queue.done(job, self._clock(), note)

    def _slack_error(self, job: Job, exc: SlackApiError, now: datetime) -> None:
        status = exc.response.status_code
        error = str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""
        if status == 429:
            wait = float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1)) or 1)
            self._queue.retry_at(job, now + timedelta(seconds=wait), "ratelimited")
        elif status >= 500 or error not in PERMANENT:
            self._again(job, now, f"slack {status} {error}".strip())
        else:
            log.warning("outbox %s %s failed for good: %s", job.kind, job.id, error)
            self._failed(job, now, error)
            if job.kind == MessageKind.CARD and job.response_url:
                self._senders.tell_rep_card_failed(job, job.response_url, error)

    def _again(self, job: Job, now: datetime, error: str) -> None:
        """Another try after a backoff, unless this was the message's MAX_ATTEMPTS-th error (rate limits aside)."""
        failures = job.failures + 1
        if failures >= MAX_ATTEMPTS:
            log.error("outbox %s %s gave up after %s errors: %s", job.kind, job.id, failures, error)
            self._failed(job, now, error)
            return
        backoff = min(2 ** failures, MAX_BACKOFF_SECONDS)
        self._queue.retry_at(job, now + timedelta(seconds=backoff), error, failed=True)

    def _failed(self, job: Job, now: datetime, error: str) -> None:
        """Given up for good. A manager waiting for an export is told, since no file will come."""
        self._queue.failed(job, now, error)
        if job.kind == MessageKind.EXPORT:
            try:
                slack = self._clients.for_team(job.team_id, retries=False)
                slack.chat_postMessage(channel=job.channel_id, text=words.export_failed(error))
            except (SlackApiError, URLError, OSError, NotInstalled) as exc:
                log.warning("could not tell the manager the export failed: %s", exc)
