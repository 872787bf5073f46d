"""What the outbox sends, one sender a kind of message: each reads what it needs in a short transaction of its
own, renders, and calls Slack with the message's workspace client. Retries and failures are the worker's."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.delivery.exports import export_file
from bot.delivery.queue import Job
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
    MessageKind,
    NotePayload,
    NudgePayload,
    RespondPayload,
    SummaryLLMPayload,
)
from bot.render import words
from bot.render.alerts import alert_message, decided_alert, decision_notice
from bot.render.blocks import Reply
from bot.render.home import home_view
from bot.render.public import deal_card, nudge_message, thread_note
from bot.render.summaries import summary_reply
from bot.services.access import Actor
from bot.services.exports import ExportService
from bot.services.home import HomeService
from bot.services.summaries import SummaryService

log = logging.getLogger(__name__)
CHANNEL_RECHECK = timedelta(hours=1)


class Permanent(Exception):
    """This message must not or cannot be sent, whatever the moment."""


class Senders:
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime], *,
                 summaries: SummaryService | None = None, home: HomeService | None = None,
                 exports: ExportService | None = None) -> None:
        self._uow, self._clock = uow, clock
        self._summaries, self._home, self._exports = summaries, home, exports

    def card(self, job: Job, _: CardPayload, slack: WebClient) -> str | None:
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id, latest_only=True)  # the card shows figures, not entries
            known = self._known_shared(uow, deal.channel_id)
            judgement = judge(deal, uow.workspaces.policy())
            assert deal.id is not None, "a stored deal has its id"
            shown = uow.deals.card_of(deal.id)
            assert shown is not None, "the deal was just read in this snapshot"
            card_ts = shown[1]
        if self._shared(slack, job.team_id, deal.channel_id, known):
            if not card_ts:  # tell the rep once, when the card would first have gone up
                self.post_ephemeral(slack, deal.channel_id, deal.owner_id, Reply(words.EXT_SHARED))
            return "shared channel: no card"
        card = deal_card(deal, judgement.verdict, Ledger.of(deal).concession_count)
        if card_ts:
            slack.chat_update(channel=deal.channel_id, ts=card_ts, text=card.text, blocks=card.blocks)
            return None
        response = slack.chat_postMessage(channel=deal.channel_id, text=card.text, blocks=card.blocks)
        with self._uow(job.team_id) as uow:
            uow.deals.set_card(deal.id, str(response["ts"]))
            uow.commit()
        return None

    def note(self, job: Job, notes: NotePayload, slack: WebClient) -> str | None:
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

    def alert(self, job: Job, alert: AlertPayload, slack: WebClient) -> str | None:
        channel = alert.channel
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id, latest_only=True)  # the alert shows the latest gives
            known = self._known_shared(uow, channel)
        if self._shared(slack, job.team_id, channel, known):
            raise Permanent("the alert channel is shared with another organisation; alerts show the floor")
        message = alert_message(deal, Ledger.of(deal), alert)
        slack.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        return None

    def alert_update(self, job: Job, update: AlertUpdatePayload, slack: WebClient) -> str | None:
        """The decision written into the alert, in place of its buttons."""
        message = decided_alert(update)
        slack.chat_update(channel=job.channel_id, ts=update.ts, text=message.text, blocks=message.blocks)
        return None

    def decision_notice(self, job: Job, notice: DecisionNoticePayload, slack: WebClient) -> str | None:
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id, latest_only=True)
        self.post_ephemeral(slack, deal.channel_id, deal.owner_id, decision_notice(deal, notice))
        return None

    def digest(self, job: Job, digest: DigestPayload, slack: WebClient) -> str | None:
        """The period's summary, computed now from SQL, to a manager's DM or the digest channel."""
        assert self._summaries is not None, "the worker needs the summary service to send digests"
        result = self._summaries.for_period(job.team_id, digest.period, digest.timezone, use_llm=True, past=True)
        message = summary_reply(result, title=words.DIGEST_TITLE.format(period=digest.period.name))
        slack.chat_postMessage(channel=digest.to, text=message.text, blocks=message.blocks)
        return None

    def summary_llm(self, job: Job, summary: SummaryLLMPayload, slack: WebClient) -> str | None:
        """The summary again, its sentences by the LLM, replacing the reply the command got at once."""
        assert self._summaries is not None, "the worker needs the summary service"
        result = self._summaries.for_period(job.team_id, summary.period, summary.timezone, user_id=summary.subject,
                                            use_llm=True)
        message = summary_reply(result)
        WebhookClient(summary.response_url, timeout=5).send(
            text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=True
        )
        return None

    def home(self, job: Job, home: HomePayload, slack: WebClient) -> str | None:
        assert self._home is not None, "the worker needs the home service to publish App Home"
        view = home_view(self._home.home(Actor(team_id=job.team_id, user_id=home.user)), notice=home.notice)
        slack.views_publish(user_id=home.user, view=view)
        return None

    def chart(self, job: Job, chart: ChartPayload, slack: WebClient) -> str | None:
        """The deal's price path, floor included, to the asker's direct messages only."""
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id)
        from bot.render.charts import price_path_png  # matplotlib: half a second at start-up, for charts only

        png = price_path_png(deal, Ledger.of(deal))
        self._upload(slack, chart.user, png, f"{deal.name}-price-path.png", words.CHART_TITLE.format(name=deal.name))
        return None

    def digest_chart(self, job: Job, digest: DigestChartPayload, slack: WebClient) -> str | None:
        assert self._summaries is not None, "the worker needs the summary service to send digests"
        bands = self._summaries.bands(job.team_id, digest.period)
        from bot.render.charts import team_bands_png  # matplotlib: half a second at start-up, for charts only

        self._upload(slack, digest.to, team_bands_png(bands), "win-rate-by-discount.png", "Win rate by discount")
        return None

    def export(self, job: Job, export: ExportPayload, slack: WebClient) -> str | None:
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

    def nudge(self, job: Job, nudge: NudgePayload, slack: WebClient) -> str | None:
        message = nudge_message(nudge.deals)
        slack.chat_postMessage(channel=nudge.to, text=message.text, blocks=message.blocks)
        return None

    def ephemeral(self, job: Job, message: EphemeralPayload, slack: WebClient) -> str | None:
        self.post_ephemeral(slack, message.channel, message.user, Reply(message.text, list(message.blocks)),
                             thread_ts=message.thread_ts)
        return None

    def respond(self, job: Job, respond: RespondPayload, slack: WebClient) -> str | None:
        """A button's private message replaced by the result, or deleted (dismissed)."""
        hook = WebhookClient(respond.response_url, timeout=5)
        if respond.delete:
            hook.send_dict({"delete_original": True})
        else:
            hook.send(text=respond.text, blocks=list(respond.blocks), response_type="ephemeral",
                      replace_original=True)
        return None

    # Helpers ------------------------------------------------------------------------------------

    def post_ephemeral(self, slack: WebClient, channel: str, user: str, message: Reply, *,
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

    def tell_rep_card_failed(self, job: Job, response_url: str, error: str) -> None:
        with self._uow(job.team_id, read_only=True) as uow:
            deal = uow.deals.get(deal_id=job.deal_id)
        text = words.CARD_FAILED.format(name=deal.name, why=words.slack_error(error))
        try:
            WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral")
        except (URLError, OSError) as exc:
            log.warning("could not tell the rep the card failed: %s", exc)


# One sender a kind, each taking its kind's payload (`bot.messages.PAYLOADS`); a test holds the two in step.
SENDERS: dict[MessageKind, Callable[[Senders, Job, Any, WebClient], str | None]] = {
    MessageKind.CARD: Senders.card,
    MessageKind.NOTE: Senders.note,
    MessageKind.ALERT: Senders.alert,
    MessageKind.ALERT_UPDATE: Senders.alert_update,
    MessageKind.DECISION_NOTICE: Senders.decision_notice,
    MessageKind.EPHEMERAL: Senders.ephemeral,
    MessageKind.RESPOND: Senders.respond,
    MessageKind.SUMMARY_LLM: Senders.summary_llm,
    MessageKind.HOME: Senders.home,
    MessageKind.CHART: Senders.chart,
    MessageKind.DIGEST: Senders.digest,
    MessageKind.DIGEST_CHART: Senders.digest_chart,
    MessageKind.NUDGE: Senders.nudge,
    MessageKind.EXPORT: Senders.export,
}
