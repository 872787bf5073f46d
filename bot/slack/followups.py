"""What the LLM adds after an acknowledgement: it runs in the bounded pool, never in a request.

Three follow-ups, each with the offline coach behind it:
- a `/deal` reply already carries the offline advice and promises the LLM's phrasing; the promise is always
  kept through the command's response URL: the LLM's lines, or the same reply saying the advice shown stands;
- "Coach this message" has shown nothing yet; the LLM's advice is posted privately, or the offline
  advice if the LLM fails or is slow;
- a thread message: the LLM reads the offer (the offline reader if it fails), the LLM coaches on it
  (the offline coach if it fails), and the proposal is posted privately under the message.
Both LLM calls of a thread message share one DEALCOACH_LLM_TIMEOUT budget."""

from __future__ import annotations

import dataclasses
import logging
import time

from bot.coach.llm import LLMCoach
from bot.coach.offer_reader import LLMOfferReader
from bot.coach.pool import LLMPool
from bot.coach.types import OFFLINE_READER, Advice, Coach, CoachRequest, remembered, shown_before
from bot.domain.offers import find_offer
from bot.llm.errors import LLMUnavailable
from bot.render import words
from bot.render.blocks import Reply, context
from bot.render.proposals import proposal_message
from bot.render.replies import deal_reply
from bot.services.access import Actor
from bot.services.coaching import CoachingService
from bot.services.notices import NoticeService
from bot.services.results import DealResult, MoveKind
from bot.services.threads import ThreadMessage, ThreadService
from bot.slack.answers import Recipient, straight, tell
from bot.slack.clients import WorkspaceClients

log = logging.getLogger(__name__)
MIN_COACH_BUDGET_SECONDS = 0.5  # less than this left after reading the offer: the offline coach answers


class LLMFollowUps:
    def __init__(self, pool: LLMPool, coach: LLMCoach, reader: LLMOfferReader, offline: Coach,
                 threads: ThreadService, notices: NoticeService, coaching: CoachingService, *,
                 budget: float, clients: WorkspaceClients) -> None:
        self._pool, self._coach, self._reader, self._offline = pool, coach, reader, offline
        self._threads, self._notices, self._coaching, self._budget = threads, notices, coaching, budget
        # The workspace's Web API client, not the request's: a follow-up outlives the request that queued it.
        self._clients = clients

    def replace_reply(self, actor: Actor, result: DealResult, response_url: str) -> bool:
        """Queues the LLM's version of a reply `actor` already has; False if the pool is full."""
        if result.advice is None:
            return False
        return self._pool.submit(lambda: self._replace(self._to(actor, response_url), result))

    def post_coaching(self, actor: Actor, result: DealResult, thread_ts: str) -> bool:
        """Queues "Coach this message"; False if the pool is full (the caller posts the offline advice)."""
        return self._pool.submit(lambda: self._post_coaching(actor, result, thread_ts))

    def propose(self, message: ThreadMessage) -> bool:
        """Queues reading and coaching a thread message; False if the pool is full (the caller reads offline)."""
        return self._pool.submit(lambda: self._propose(message))

    def _to(self, actor: Actor, response_url: str | None = None, *, thread_ts: str | None = None) -> Recipient:
        return Recipient(actor, self._clients.for_team(actor.team_id), response_url, thread_ts=thread_ts)

    def _replace(self, to: Recipient, result: DealResult) -> None:
        try:
            advice = self._coach.advise(_request(result), budget=self._budget)
            message = deal_reply(dataclasses.replace(result, advice=advice))
            self._remember(result, advice)
        except LLMUnavailable as exc:  # failed, slow or discarded: the promise of a follow-up is still kept
            log.info("LLM coaching not used (%s); the offline advice stands", exc)
            message = _advice_stands(result)
        except Exception:  # a bug must not leave the rep waiting for a follow-up either
            log.exception("LLM follow-up failed")
            message = _advice_stands(result)
        # Straight, as the reply it replaces came: through the outbox it would wait behind the worker's queue.
        straight(to, message, replace=True)

    def _post_coaching(self, actor: Actor, result: DealResult, thread_ts: str) -> None:
        advice = self._advise(_request(result), self._budget, fallback=result.advice)
        reply = deal_reply(dataclasses.replace(result, advice=advice))
        tell(self._notices, self._to(actor, thread_ts=thread_ts), reply)

    def _propose(self, message: ThreadMessage) -> None:
        deadline = time.monotonic() + self._budget
        try:
            offer = self._reader.read(message.text, terms=message.terms, budget=self._budget / 2)
            reader = self._reader.name
        except LLMUnavailable:
            offer = None
        if offer is None:
            # The LLM's "no offer" does not overrule the offline reader: a small model said it of 4 in 5 offers
            # (bench/parser_quality.py --llm, recall 0.175 against 0.900), and a missed offer is never proposed.
            offer, reader = find_offer(message.text, message.terms), OFFLINE_READER
        what_if = self._threads.judge(message, offer) if offer is not None else None
        if offer is None or what_if is None:
            return
        request = self._threads.coach_request(message, what_if)
        advice = self._advise(request, deadline - time.monotonic())
        proposal = self._threads.proposal(message, offer, what_if, advice, reader)
        to = self._to(message.actor, thread_ts=message.thread_ts)
        tell(self._notices, to, proposal_message(proposal))

    def _advise(self, request: CoachRequest, budget: float, fallback: Advice | None = None) -> Advice:
        """The LLM's advice within `budget` seconds, else the offline coach's."""
        if budget >= MIN_COACH_BUDGET_SECONDS:
            try:
                return self._coach.advise(request, budget=budget)
            except LLMUnavailable as exc:
                log.info("LLM coaching not used (%s); the offline coach answers", exc)
        return fallback or self._offline.advise(request)


    def _remember(self, result: DealResult, advice: Advice) -> None:
        """The deal keeps the LLM's lines as shown in place of the offline ones they replace."""
        deal = result.deal
        if deal.id is not None and result.advice is not None:
            shown = remembered(shown_before(deal.coach_shown, result.advice), advice)
            self._coaching.remember_shown(deal.team_id, deal.id, shown)


def _advice_stands(result: DealResult) -> Reply:
    """The reply the rep already has, saying that the advice shown is the answer."""
    message = deal_reply(result)
    message.blocks.append(context(words.LLM_NOTHING_TO_ADD))
    return message


def _request(result: DealResult) -> CoachRequest:
    """The coach request the offline advice of `result` answered, for the LLM: the same lines shown before it, and
    for a coach request the verdict of what its words ask (a recorded ask's what-if is its judgement)."""
    coached = result.kind is MoveKind.COACH
    judgement = result.judgement if coached else (result.what_if or result.judgement)
    shown = result.deal.coach_shown
    if result.advice is not None:
        shown = shown_before(shown, result.advice)
    return CoachRequest(result.deal, result.ledger, judgement, result.policy, result.kind.value,
                        customer_words=result.customer_words, question=result.question, shown=shown,
                        asked=result.what_if if coached else None)
