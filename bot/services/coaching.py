"""The coaching use cases: `/deal coach`, "Coach this message", and what the coach showed on a deal, kept so that
the next advice finds new words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.coach.types import Advice, Coach, CoachRequest, remembered
from bot.commands import types as commands
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.errors import NotFound
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Policy
from bot.domain.offers import asked_in, judge_offer
from bot.domain.reader import terms_of
from bot.domain.rules import Judgement, judge
from bot.services.access import Access, Actor
from bot.services.results import DealResult, MoveKind


class CoachingService:
    def __init__(self, uow: UnitOfWorkFactory, access: Access, coach: Coach, *,
                 clock: Callable[[], datetime]) -> None:
        self._uow, self._access, self._coach, self._clock = uow, access, coach, clock

    def coach(self, actor: Actor, command: commands.Coach) -> DealResult:
        """Advice on the deal as it stands, answering the rep's question if there is one; a closed deal is coached
        too (a customer who comes back after a walk-away, a won deal's follow-up)."""
        with self._uow(actor.team_id) as uow:
            found = uow.deals.get_in_context(name=command.deal.name, deal_id=command.deal.id, latest_only=True)
            self._access.require_owner_or_manager(actor, found.deal, found.policy, "get coaching on")
            return self._coached(uow, found.deal, found.policy, question=command.question)

    def coach_message(self, actor: Actor, channel_id: str, thread_ts: str, text: str) -> DealResult:
        """"Coach this message": the deal whose thread the message is in, coached on its words."""
        with self._uow(actor.team_id) as uow:
            policy = uow.workspaces.policy()
            deal = uow.deals.find_by_card(channel_id, thread_ts)
            if deal is None:
                raise NotFound("That message is not in a deal's thread. Use it on a message in a deal room.")
            self._access.require_owner_or_manager(actor, deal, policy, "get coaching on")
            return self._coached(uow, deal, policy, customer_words=text)

    def remember_shown(self, team_id: str, deal_id: int, shown: tuple[str, ...]) -> None:
        """The coach's lines the rep now sees on a deal, when the LLM's phrasing replaced the offline advice."""
        with self._uow(team_id) as uow:
            uow.deals.set_coach_shown(deal_id, shown)
            uow.commit()

    def _coached(self, uow: UnitOfWork, deal: Deal, policy: Policy, *, question: str = "",
                 customer_words: str = "") -> DealResult:
        """The deal judged and coached, with what the words ask judged as if given; the lines shown are kept on
        the deal without touching its version, so that a move made meanwhile is not read as stale."""
        ledger = Ledger.of(deal)
        judgement = judge(deal, policy, ledger)
        offer = asked_in(question, customer_words, terms_of(deal, ledger)) if deal.is_open else None
        what_if = judge_offer(deal, policy, offer, by=deal.owner_id, at=self._clock()) if offer else None
        advice = advise(self._coach, deal, ledger, judgement, policy, MoveKind.COACH, question=question,
                        customer_words=customer_words, asked=what_if)
        assert deal.id is not None
        uow.deals.set_coach_shown(deal.id, deal.coach_shown)  # memory, not a change to the deal: no new version
        uow.commit()
        return DealResult(MoveKind.COACH, deal, ledger, judgement, policy, what_if=what_if, advice=advice,
                          question=question, customer_words=customer_words)


def advise(coach: Coach, deal: Deal, ledger: Ledger, judged: Judgement, policy: Policy, moment: MoveKind, *,
           question: str = "", customer_words: str = "", asked: Judgement | None = None) -> Advice:
    """The coach's advice, not repeating the lines last shown on the deal; the deal keeps these new ones (saved
    with whatever the caller saves)."""
    advice = coach.advise(CoachRequest(deal, ledger, judged, policy, moment.value, question=question,
                                       customer_words=customer_words, shown=deal.coach_shown, asked=asked))
    deal.coach_shown = remembered(deal.coach_shown, advice)
    return advice
