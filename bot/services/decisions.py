"""Managers' decisions on alerts: approve an exception to the cap, or tell the rep to walk away."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.db.uow import UnitOfWorkFactory
from bot.domain import deals as domain
from bot.domain.errors import Conflict
from bot.domain.model import Deal, Decision
from bot.domain.rules import Judgement, judge
from bot.messages import AlertUpdatePayload, DecisionNoticePayload, MessageKind, NoteLine
from bot.services.access import Access, Actor
from bot.services.deals import utc_now

# A recorded decision as the manager who clicked second reads it.
_DECIDED = {Decision.APPROVE.value: "an exception to the cap was approved",
            Decision.WALK_AWAY.value: "the rep was asked to walk away"}


@dataclass(frozen=True)
class AlertClick:
    """A button on an alert: which deal and entry it is about, and where the alert message is."""

    deal_id: int
    seq: int
    channel_id: str
    message_ts: str
    blocks: list[dict[str, Any]]  # the alert as posted, to show the decision in place of its buttons


@dataclass(frozen=True)
class DecisionResult:
    deal: Deal
    decision: Decision
    judgement: Judgement
    by_user: str


class DecisionService:
    def __init__(self, uow: UnitOfWorkFactory, access: Access, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._uow, self._access, self._clock = uow, access, clock

    def decide(self, actor: Actor, click: AlertClick, decision: Decision) -> DecisionResult:
        """Only managers; one decision per alert, whoever clicks first; recorded, shown in the deal's thread
        (without the floor), told to the rep, and written into the alert in place of its buttons."""
        with self._uow(actor.team_id) as uow:
            policy = uow.workspaces.policy()
            self._access.require_manager(actor, policy, "decide on alerts")
            deal = uow.deals.get(deal_id=click.deal_id)  # locked: this unit of work writes from the start
            if not deal.is_open:  # the rules judge open deals only: nothing is left to approve or walk away from
                raise Conflict(f"`{deal.name}` is closed ({deal.stage.value}); there is nothing left to decide.")
            earlier = uow.decisions.find(click.deal_id, click.seq)
            if earlier is not None:
                what = _DECIDED.get(earlier.kind, "see the alert")
                raise Conflict(f"<@{earlier.by_user}> already decided on this alert: {what}.")
            if decision is Decision.APPROVE:
                domain.approve_exception(deal, click.seq)
            try:
                uow.decisions.add(click.deal_id, click.seq, decision.value, actor.user_id)
            except IntegrityError:
                raise Conflict("Another manager decided on this alert a moment ago.") from None
            judgement = judge(deal, policy)
            uow.deals.save(deal, judgement.verdict)
            assert deal.id is not None
            notice = DecisionNoticePayload(moment="decision", decision=decision, by=actor.user_id, owner=deal.owner_id)
            if uow.channels.is_ext_shared(deal.channel_id) is not True:
                uow.outbox.add_note(channel=deal.channel_id, deal_id=deal.id, note=NoteLine(**notice.model_dump()),
                                    waiting=uow.outbox.waiting_note(deal.id))
                uow.outbox.refresh_card(channel=deal.channel_id, deal_id=deal.id)
            update = AlertUpdatePayload(**notice.model_dump(), ts=click.message_ts, blocks=tuple(click.blocks))
            uow.outbox.add(MessageKind.ALERT_UPDATE, update, channel=click.channel_id, deal_id=deal.id)
            uow.outbox.add(MessageKind.DECISION_NOTICE, notice, channel=deal.channel_id, deal_id=deal.id)
            uow.commit()
        return DecisionResult(deal, decision, judgement, actor.user_id)
