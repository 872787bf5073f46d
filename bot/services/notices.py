"""Private messages to a rep that cannot ride on an acknowledgement (after a modal, a shortcut), and
what Slack tells us about channels."""

from __future__ import annotations

from bot.db.uow import UnitOfWorkFactory
from bot.messages import EphemeralPayload, HomePayload, MessageKind, RespondPayload, SummaryLLMPayload
from bot.render.blocks import Reply
from bot.services.access import Actor
from bot.services.results import SummaryResult


class NoticeService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def private(self, actor: Actor, reply: Reply, *, thread_ts: str | None = None) -> Reply:
        """Queued in the outbox, so it survives a restart and Slack's rate limits like everything else."""
        with self._uow(actor.team_id) as uow:
            payload = EphemeralPayload(channel=actor.channel_id, user=actor.user_id, text=reply.text,
                                       blocks=tuple(reply.blocks), thread_ts=thread_ts)
            uow.outbox.add(MessageKind.EPHEMERAL, payload, channel=actor.channel_id)
            uow.commit()
        return reply

    def follow_up_summary(self, actor: Actor, result: SummaryResult, response_url: str) -> None:
        """The LLM's sentences replace the offline ones in the rep's reply, from the outbox worker."""
        payload = SummaryLLMPayload(response_url=response_url, period=result.period, timezone=result.timezone,
                                    subject=result.subject)
        with self._uow(actor.team_id) as uow:
            uow.outbox.add(MessageKind.SUMMARY_LLM, payload, channel=f"summary:{actor.user_id}")
            uow.commit()

    def respond(self, actor: Actor, response_url: str, reply: Reply | None) -> None:
        """Replaces (or, with no reply, deletes) the private message a button was pressed on."""
        payload = RespondPayload(response_url=response_url, delete=reply is None, text=reply.text if reply else "",
                                 blocks=tuple(reply.blocks) if reply else ())
        with self._uow(actor.team_id) as uow:
            uow.outbox.add(MessageKind.RESPOND, payload, channel=f"respond:{actor.user_id}")
            uow.commit()

    def refresh_home(self, team_id: str, user_id: str, *, event_id: str | None = None, notice: str = "") -> None:
        """Queues a Home tab refresh; one waiting refresh per person is enough, and a retried event
        (`event_id` seen before, by this process or another) queues none. A refresh with a `notice` (what became
        of a save) is always queued: it goes after any waiting one, so the person reads it."""
        with self._uow(team_id) as uow:
            if event_id is not None and not uow.events.first_time(event_id):
                return
            if notice or not uow.outbox.pending(kind=MessageKind.HOME, channel=f"home:{user_id}"):
                uow.outbox.add(MessageKind.HOME, HomePayload(user=user_id, notice=notice), channel=f"home:{user_id}")
            uow.commit()

    def remember_channel(self, team_id: str, channel_id: str, *, is_ext_shared: bool) -> None:
        with self._uow(team_id) as uow:
            uow.channels.remember(channel_id, is_ext_shared=is_ext_shared)
            uow.commit()
