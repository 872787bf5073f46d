"""Workspace-wide use cases: lists of deals and the policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.commands import types as c
from bot.db.uow import UnitOfWorkFactory
from bot.domain.ledger import Ledger
from bot.domain.rules import judge
from bot.services.access import Access, Actor
from bot.services.deals import utc_now
from bot.services.results import DealLine, DealListResult, PolicyResult

LIST_LIMIT = 40  # a reply carries at most 50 blocks


class WorkspaceService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        access: Access,
        *,
        default_alert_channel: str | None = None,
        settings_managers: frozenset[str] = frozenset(),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._uow, self._access, self._clock = uow, access, clock
        self._default_alert_channel = default_alert_channel
        self._settings_managers = settings_managers

    def list_deals(self, actor: Actor, command: c.ListDeals) -> DealListResult:
        with self._uow(actor.team_id, read_only=True) as uow:
            policy = uow.workspaces.policy()
            if command.all:
                self._access.require_manager(actor, policy, "list everyone's deals")
            owner = None if command.all else actor.user_id
            deals = uow.deals.list_open(owner_id=owner, limit=LIST_LIMIT + 1)
        lines = tuple(DealLine(d, Ledger.of(d), judge(d, policy)) for d in deals[:LIST_LIMIT])
        return DealListResult(lines, everyone=command.all, truncated=len(deals) > LIST_LIMIT)

    def policy(self, actor: Actor, command: c.PolicyCommand) -> PolicyResult:
        with self._uow(actor.team_id, read_only=not command.changes) as uow:
            policy = uow.workspaces.policy()
            if command.changes:
                self._access.require_manager(actor, policy, "change the policy")
                policy = uow.workspaces.change_policy(command.changes)
                uow.commit()
        return PolicyResult(
            policy,
            changed=tuple(command.changes),
            alert_channel_default=self._default_alert_channel,
            settings_managers=tuple(sorted(self._settings_managers)),
        )
