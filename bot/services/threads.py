"""Deal threads: a rep's message that names an ask or a concession is proposed for the ledger, privately,
with buttons; nothing is recorded from chat until the rep clicks. Each Slack event is handled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.coach.types import OFFLINE_READER, Advice, Coach, CoachRequest
from bot.db.uow import UnitOfWorkFactory
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Policy
from bot.domain.offers import Offer, find_offer, judge_offer
from bot.domain.reader import DealTerms, terms_of
from bot.domain.rules import Judgement
from bot.services.access import Access, Actor
from bot.services.deals import utc_now

IGNORED_SUBTYPES = frozenset({"bot_message", "message_deleted", "channel_join", "channel_leave", "thread_broadcast",
                              "channel_topic", "channel_purpose", "channel_name", "pinned_item", "file_share"})


@dataclass(frozen=True)
class ThreadMessage:
    """A rep's (or a manager's) reply in an open deal's thread, with the deal as it stood."""

    actor: Actor
    thread_ts: str
    deal: Deal
    policy: Policy
    text: str
    ts: str = ""  # the message's own ts: a proposal is logged once per message

    @property
    def terms(self) -> DealTerms:
        """The deal's prices, which say what a figure in the message means."""
        return terms_of(self.deal)


@dataclass(frozen=True)
class Proposal:
    """What the rep privately sees under their message: the offer read, its verdict if given, the coach."""

    actor: Actor
    thread_ts: str
    deal: Deal
    offer: Offer
    what_if: Judgement
    advice: Advice
    text: str
    reader: str = OFFLINE_READER  # who read the offer out of the message
    message_ts: str = ""


class ThreadService:
    def __init__(self, uow: UnitOfWorkFactory, access: Access, coach: Coach) -> None:
        self._uow, self._access, self._coach = uow, access, coach

    def read(self, team_id: str, event_id: str, event: dict[str, Any]) -> Proposal | None:
        """The offline proposal for one message event, or None (see `locate`; or no offer in it)."""
        message = self.locate(team_id, event_id, event)
        return self.offline_proposal(message) if message is not None else None

    def offline_proposal(self, message: ThreadMessage) -> Proposal | None:
        """The offer the offline reader finds, coached by the offline coach; None if there is none."""
        offer = find_offer(message.text, message.terms)
        what_if = self.judge(message, offer) if offer is not None else None
        if offer is None or what_if is None:
            return None
        return self.proposal(message, offer, what_if, self._coach.advise(self.coach_request(message, what_if)))

    def locate(self, team_id: str, event_id: str, event: dict[str, Any]) -> ThreadMessage | None:
        """The message, if it is the deal owner's or a manager's reply in an open deal's thread and this
        event is new (Slack retries, and Bolt does not deduplicate); None otherwise."""
        found = _message_of(event)
        if found is None:
            return None
        user, channel, thread_ts, text, ts = found
        with self._uow(team_id) as uow:
            if not uow.events.first_time(event_id):
                return None
            uow.commit()
        with self._uow(team_id, read_only=True) as uow:
            deal = uow.deals.find_by_card(channel, thread_ts)
            if deal is None or not deal.is_open:
                return None
            policy = uow.workspaces.policy()
            actor = Actor(team_id, user, channel)
            if user != deal.owner_id and not self._access.is_manager(actor, policy):
                return None  # a teammate's remark is not the rep's move
        return ThreadMessage(actor, thread_ts, deal, policy, text, ts)

    def shortcut_message(self, actor: Actor, thread_ts: str, text: str, ts: str) -> ThreadMessage | None:
        """"Coach this message": the message as one in its open deal's thread, read like a thread message;
        None when it is in no open deal's thread (the deal service says why)."""
        with self._uow(actor.team_id, read_only=True) as uow:
            deal = uow.deals.find_by_card(actor.channel_id, thread_ts)
            if deal is None or not deal.is_open:
                return None
            policy = uow.workspaces.policy()
            self._access.require_owner_or_manager(actor, deal, policy, "get coaching on")
        return ThreadMessage(actor, thread_ts, deal, policy, text, ts)

    @staticmethod
    def judge(message: ThreadMessage, offer: Offer) -> Judgement | None:
        """The verdict if the offer were given (see `judge_offer`)."""
        return judge_offer(message.deal, message.policy, offer, by=message.actor.user_id, at=utc_now())

    @staticmethod
    def coach_request(message: ThreadMessage, what_if: Judgement) -> CoachRequest:
        deal = message.deal
        return CoachRequest(deal, Ledger.of(deal), what_if, message.policy, "ask", customer_words=message.text,
                            shown=deal.coach_shown)

    @staticmethod
    def proposal(message: ThreadMessage, offer: Offer, what_if: Judgement, advice: Advice,
                 reader: str = OFFLINE_READER) -> Proposal:
        return Proposal(message.actor, message.thread_ts, message.deal, offer, what_if, advice, message.text,
                        reader, message.ts)


_SLACK_TS = re.compile(r"\d{1,20}\.\d{1,12}")  # a message's ts, as Slack writes it: "1700000000.000100"


def message_ts(value: object) -> str:
    """A message's ts as Slack writes it, else "": it keys a proposal's log-once claim."""
    return value if isinstance(value, str) and _SLACK_TS.fullmatch(value) else ""


def _message_of(event: dict[str, Any]) -> tuple[str, str, str, str, str] | None:
    """(user, channel, thread, text, ts) of a person's reply in a thread; edits count as the new text."""
    if event.get("subtype") == "message_changed":
        event = {**(event.get("message") or {}), "channel": event.get("channel")}
    if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id") or event.get("subtype") not in (None, ""):
        return None
    user, channel, text = event.get("user"), event.get("channel"), event.get("text")
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not (isinstance(user, str) and user and isinstance(channel, str) and channel and isinstance(text, str) and text
            and isinstance(thread_ts, str) and thread_ts) or thread_ts == ts:
        return None
    if isinstance(ts, str) and ts and not _SLACK_TS.fullmatch(ts):
        return None  # not a message Slack sent: its ts keys the proposal's log-once claim
    return user, channel, thread_ts, text[:4000], ts if isinstance(ts, str) else ""
