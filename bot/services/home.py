"""The App Home: a rep's open deals and who their managers are; for a manager, the team's deals that need them,
alerts awaiting a decision and the workspace's setup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.db.uow import UnitOfWorkFactory
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Policy
from bot.domain.rules import judge
from bot.services.access import Access, Actor
from bot.services.results import DealLine, PolicyResult

HOME_LIMIT = 20


@dataclass(frozen=True)
class HomeResult:
    mine: tuple[DealLine, ...]
    is_manager: bool
    needs_attention: tuple[DealLine, ...] = ()
    awaiting_decision: tuple[DealLine, ...] = ()
    policy: PolicyResult | None = None  # the setup a manager changes, and whom a rep answers to
    admins_are_managers: bool = False  # no manager named anywhere: Slack's admins and owners stand in


class HomeService:
    def __init__(self, uow: UnitOfWorkFactory, access: Access,
                 describe: Callable[[Policy], PolicyResult] = PolicyResult) -> None:
        """`describe` adds the server's settings to the workspace's policy (`WorkspaceService.policy_result`)."""
        self._uow, self._access, self._describe = uow, access, describe

    def home(self, actor: Actor) -> HomeResult:
        with self._uow(actor.team_id, read_only=True) as uow:
            policy = uow.workspaces.policy()
            mine = uow.deals.list_open(owner_id=actor.user_id, limit=HOME_LIMIT)
            manager = self._access.is_manager(actor, policy)
            team = uow.deals.list_needing_attention(limit=HOME_LIMIT) if manager else []
            undecided = {deal.id for deal in team if not uow.decisions.decided_latest(deal)}

        def lines(deals: list[Deal]) -> tuple[DealLine, ...]:
            return tuple(DealLine(d, Ledger.of(d), judge(d, policy)) for d in deals)

        return HomeResult(
            mine=lines(mine),
            is_manager=manager,
            needs_attention=lines(team),
            awaiting_decision=lines([d for d in team if d.id in undecided]),
            policy=self._describe(policy),
            admins_are_managers=not self._access.named_managers(policy),
        )
