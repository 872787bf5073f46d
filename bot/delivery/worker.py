"""The outbox worker: posts cards, thread notes, alerts and private notes, retrying Slack's errors."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import SQLAlchemyError

from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.delivery.clients import TeamClients
from bot.delivery.exports import export_file
from bot.delivery.queue import Job, OutboxQueue
from bot.domain.ledger import Ledger
from bot.domain.rules import judge
from bot.messages import (
    AlertPayload,
    AlertUpdatePayload,
    CardPayload,
    ChartPayload,
    DecisionNoticePayload,
    DigestChartPayload,
    DigestPayload,
    EphemeralPayload,
    ExportPayload,
    HomePayload,
    MalformedPayload,
    MessageKind,
    NotePayload,
    NudgePayload,
    RespondPayload,
    SummaryLLMPayload,
    load,
)
from bot.render import words
from bot.render.alerts import alert_message, decided_alert, decision_notice
from bot.render.blocks import Reply
from bot.render.home import home_view
from bot.render.public import deal_card, nudge_message, thread_note
from bot.render.summaries import summary_reply
from bot.services.access import Actor
from bot.services.deals import utc_now
from bot.services.exports import ExportService
from bot.services.home import HomeService
from bot.services.installs import UNINSTALLED, NotInstalled
from bot.services.summaries import SummaryService

log = logging.getLogger(__name__)
COALESCE_SECONDS = 0.05  # a channel gets a message a second at most: 50 ms more costs nothing

MAX_ATTEMPTS = 12
CHANNEL_RECHECK = timedelta(hours=1)
MAX_BACKOFF_SECONDS = 300
# Errors a retry cannot fix: the message or the channel is wrong, not the moment.
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "no_text", "invalid_auth", "not_authed", "account_inactive", "restricted_action",
    "message_not_found", "cant_update_message", "user_not_found", "team_access_not_granted", "token_revoked",
    "token_expired",
})


class Permanent(Exception):
    """This message must not or cannot be sent, whatever the moment."""


class OutboxWorker:
    def __init__(self, queue: OutboxQueue, uow: UnitOfWorkFactory, clients: TeamClients, *,
                 summaries: SummaryService | None = None, home: HomeService | None = None,
                 exports: ExportService | None = None, clock: Callable[[], datetime] = utc_now,
                 poll_seconds: float = 1.0) -> None:
        # Each message goes out with its workspace's client (in OAuth mode, its own bot token).
        self._queue, self._uow, self._clients, self._clock = queue, uow, clients, clock
        self._summaries, self._home, self._exports = summaries, home, exports
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
            note = _SENDERS[MessageKind(job.kind)](self, job, payload, slack)
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
                self._tell_rep_card_failed(job, job.response_url, error)

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

    # Senders ------------------------------------------------------------------------------------

    def _send_card(self, job: Job, _: CardPayload, slack: WebClient) -> str | None:
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id)
            known = self._known_shared(uow, deal.channel_id)
            judgement = judge(deal, uow.workspaces.policy())
            assert deal.id is not None, "a stored deal has its id"
            shown = uow.deals.card_of(deal.id)
            assert shown is not None, "the deal was just read in this snapshot"
            card_ts = shown[1]
        if self._shared(slack, job.team_id, deal.channel_id, known):
            if not card_ts:  # tell the rep once, when the card would first have gone up
                self._post_ephemeral(slack, deal.channel_id, deal.owner_id, Reply(words.EXT_SHARED))
            return "shared channel: no card"
        card = deal_card(deal, judgement.verdict, len(Ledger.of(deal).gives))
        if card_ts:
            slack.chat_update(channel=deal.channel_id, ts=card_ts, text=card.text, blocks=card.blocks)
            return None
        response = slack.chat_postMessage(channel=deal.channel_id, text=card.text, blocks=card.blocks)
        with self._uow(job.team_id) as uow:
            uow.deals.set_card(deal.id, str(response["ts"]))
            uow.commit()
        return None

    def _send_note(self, job: Job, notes: NotePayload, slack: WebClient) -> str | None:
        with self._uow(job.team_id, read_only=True) as uow:
            card = uow.deals.card_of(job.deal_id) if job.deal_id is not None else None
            if card is None:
                return "deal gone"
            channel, card_ts = card
            known = self._known_shared(uow, channel)
        if self._shared(slack, job.team_id, channel, known):
            return "shared channel: no thread"
        if card_ts is None:  # the card went before it in the channel's queue, and was not posted
            return "no card, so no thread"
        message = thread_note(notes)
        slack.chat_postMessage(channel=channel, thread_ts=card_ts, text=message.text, blocks=message.blocks)
        return None

    def _send_alert(self, job: Job, alert: AlertPayload, slack: WebClient) -> str | None:
        channel = alert.channel
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id)
            known = self._known_shared(uow, channel)
        if self._shared(slack, job.team_id, channel, known):
            raise Permanent("the alert channel is shared with another organisation; alerts show the floor")
        message = alert_message(deal, Ledger.of(deal), alert)
        slack.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        return None

    def _send_alert_update(self, job: Job, update: AlertUpdatePayload, slack: WebClient) -> str | None:
        """The decision written into the alert, in place of its buttons."""
        message = decided_alert(update)
        slack.chat_update(channel=job.channel_id, ts=update.ts, text=message.text, blocks=message.blocks)
        return None

    def _send_decision_notice(self, job: Job, notice: DecisionNoticePayload, slack: WebClient) -> str | None:
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id)
        self._post_ephemeral(slack, deal.channel_id, deal.owner_id, decision_notice(deal, notice))
        return None

    def _send_digest(self, job: Job, digest: DigestPayload, slack: WebClient) -> str | None:
        """The period's summary, computed now from SQL, to a manager's DM or the digest channel."""
        assert self._summaries is not None, "the worker needs the summary service to send digests"
        result = self._summaries.for_period(job.team_id, digest.period, digest.timezone, use_llm=True, past=True)
        message = summary_reply(result, title=words.DIGEST_TITLE.format(period=digest.period.name))
        slack.chat_postMessage(channel=digest.to, text=message.text, blocks=message.blocks)
        return None

    def _send_summary_llm(self, job: Job, summary: SummaryLLMPayload, slack: WebClient) -> str | None:
        """The summary again, its sentences by the LLM, replacing the reply the command got at once."""
        assert self._summaries is not None, "the worker needs the summary service"
        result = self._summaries.for_period(job.team_id, summary.period, summary.timezone, user_id=summary.subject,
                                            use_llm=True)
        message = summary_reply(result)
        WebhookClient(summary.response_url, timeout=5).send(
            text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=True
        )
        return None

    def _send_home(self, job: Job, home: HomePayload, slack: WebClient) -> str | None:
        assert self._home is not None, "the worker needs the home service to publish App Home"
        view = home_view(self._home.home(Actor(team_id=job.team_id, user_id=home.user)), notice=home.notice)
        slack.views_publish(user_id=home.user, view=view)
        return None

    def _send_chart(self, job: Job, chart: ChartPayload, slack: WebClient) -> str | None:
        """The deal's price path, floor included, to the asker's direct messages only."""
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id)
        from bot.render.charts import price_path_png  # matplotlib: half a second at start-up, for charts only

        png = price_path_png(deal, Ledger.of(deal))
        self._upload(slack, chart.user, png, f"{deal.name}-price-path.png", words.CHART_TITLE.format(name=deal.name))
        return None

    def _send_digest_chart(self, job: Job, digest: DigestChartPayload, slack: WebClient) -> str | None:
        assert self._summaries is not None, "the worker needs the summary service to send digests"
        bands = self._summaries.bands(job.team_id, digest.period)
        from bot.render.charts import team_bands_png  # matplotlib: half a second at start-up, for charts only

        self._upload(slack, digest.to, team_bands_png(bands), "win-rate-by-discount.png", "Win rate by discount")
        return None

    def _send_export(self, job: Job, export: ExportPayload, slack: WebClient) -> str | None:
        """The CSV, made now from one read of the deals, to the manager's direct messages only (it shows floors)."""
        assert self._exports is not None, "the worker needs the export service to send exports"
        self._upload(slack, export.to, *export_file(slack, self._exports, job.team_id, export))
        return None

    def _upload(self, slack: WebClient, to: str, content: bytes, filename: str, title: str) -> None:
        """A user id is a direct message: Slack's upload API wants the conversation's own id."""
        channel = to
        if to.startswith(("U", "W")):
            channel = slack.conversations_open(users=to)["channel"]["id"]
        slack.files_upload_v2(channel=channel, content=content, filename=filename, title=title)

    def _send_nudge(self, job: Job, nudge: NudgePayload, slack: WebClient) -> str | None:
        message = nudge_message(nudge.deals)
        slack.chat_postMessage(channel=nudge.to, text=message.text, blocks=message.blocks)
        return None

    def _send_ephemeral(self, job: Job, message: EphemeralPayload, slack: WebClient) -> str | None:
        self._post_ephemeral(slack, message.channel, message.user, Reply(message.text, list(message.blocks)),
                             thread_ts=message.thread_ts)
        return None

    def _send_respond(self, job: Job, respond: RespondPayload, slack: WebClient) -> str | None:
        """A button's private message replaced by the result, or deleted (dismissed)."""
        hook = WebhookClient(respond.response_url, timeout=5)
        if respond.delete:
            hook.send_dict({"delete_original": True})
        else:
            hook.send(text=respond.text, blocks=list(respond.blocks), response_type="ephemeral",
                      replace_original=True)
        return None

    # Helpers ------------------------------------------------------------------------------------

    def _post_ephemeral(self, slack: WebClient, channel: str, user: str, message: Reply, *,
                        thread_ts: str | None = None) -> None:
        try:
            slack.chat_postEphemeral(channel=channel, user=user, text=message.text, blocks=message.blocks,
                                            thread_ts=thread_ts)
        except SlackApiError as exc:
            if exc.response.get("error") not in ("channel_not_found", "not_in_channel", "user_not_in_channel"):
                raise
            # The bot cannot reach the channel: the rep's direct messages with the app always work.
            slack.chat_postMessage(channel=user, text=message.text, blocks=message.blocks)

    def _known_shared(self, uow: UnitOfWork, channel: str) -> bool | None:
        """Whether the channel is shared with another organisation, as we last learned; None: ask Slack.
        Channels can become shared later; Slack's channel_shared event updates this at once, and an answer older
        than an hour is asked again in case the event was missed."""
        return uow.channels.is_ext_shared(channel, checked_after=self._clock() - CHANNEL_RECHECK)

    def _shared(self, slack: WebClient, team_id: str, channel: str, known: bool | None) -> bool:
        """`known`, or else Slack's answer. Asked outside any transaction (the call may take seconds, and on SQLite
        a writer would hold every request's write lock meanwhile), then remembered in a short one of its own."""
        if known is not None:
            return known
        info = slack.conversations_info(channel=channel)["channel"]
        shared = bool(info.get("is_ext_shared") or info.get("is_pending_ext_shared"))
        with self._uow(team_id) as uow:
            uow.channels.remember(channel, is_ext_shared=shared)
            uow.commit()
        return shared

    def _tell_rep_card_failed(self, job: Job, response_url: str, error: str) -> None:
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id)
        text = words.CARD_FAILED.format(name=deal.name, why=words.slack_error(error))
        try:
            WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral")
        except (URLError, OSError) as exc:
            log.warning("could not tell the rep the card failed: %s", exc)


# One sender a kind, each taking its kind's payload (`bot.messages.PAYLOADS`); a test holds the two in step.
_SENDERS: dict[MessageKind, Callable[[OutboxWorker, Job, Any, WebClient], str | None]] = {
    MessageKind.CARD: OutboxWorker._send_card,
    MessageKind.NOTE: OutboxWorker._send_note,
    MessageKind.ALERT: OutboxWorker._send_alert,
    MessageKind.ALERT_UPDATE: OutboxWorker._send_alert_update,
    MessageKind.DECISION_NOTICE: OutboxWorker._send_decision_notice,
    MessageKind.EPHEMERAL: OutboxWorker._send_ephemeral,
    MessageKind.RESPOND: OutboxWorker._send_respond,
    MessageKind.SUMMARY_LLM: OutboxWorker._send_summary_llm,
    MessageKind.HOME: OutboxWorker._send_home,
    MessageKind.CHART: OutboxWorker._send_chart,
    MessageKind.DIGEST: OutboxWorker._send_digest,
    MessageKind.DIGEST_CHART: OutboxWorker._send_digest_chart,
    MessageKind.NUDGE: OutboxWorker._send_nudge,
    MessageKind.EXPORT: OutboxWorker._send_export,
}
