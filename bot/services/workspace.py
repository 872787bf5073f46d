"""Workspace-wide use cases: lists of deals and the policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.commands import types as commands
from bot.commands.policy import ChannelName
from bot.db.uow import UnitOfWorkFactory
from bot.domain.errors import InputError
from bot.domain.ledger import Ledger
from bot.domain.model import Policy
from bot.domain.rules import judge
from bot.services.access import Access, Actor
from bot.services.deals import utc_now
from bot.services.results import DealLine, DealListResult, PolicyResult

LIST_LIMIT = 40  # a reply carries at most 50 blocks


class ChannelLookup(Protocol):
    """Finds a channel's id by its name (`deal-alerts`); None when no channel of that name is visible."""

    def channel_id(self, team_id: str, name: str) -> str | None: ...


class WorkspaceService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        access: Access,
        *,
        default_alert_channel: str | None = None,
        settings_managers: frozenset[str] = frozenset(),
        clock: Callable[[], datetime] = utc_now,
        channels: ChannelLookup | None = None,
    ) -> None:
        self._uow, self._access, self._clock = uow, access, clock
        self._channels = channels
        self._default_alert_channel = default_alert_channel
        self._settings_managers = settings_managers

    def list_deals(self, actor: Actor, command: commands.ListDeals) -> DealListResult:
        with self._uow(actor.team_id, read_only=True) as uow:
            policy = uow.workspaces.policy()
            if command.all:
                self._access.require_manager(actor, policy, "list everyone's deals")
            owner = None if command.all else actor.user_id
            deals = uow.deals.list_open(owner_id=owner, limit=LIST_LIMIT + 1)
        lines = tuple(DealLine(d, Ledger.of(d), judge(d, policy)) for d in deals[:LIST_LIMIT])
        return DealListResult(lines, everyone=command.all, truncated=len(deals) > LIST_LIMIT)

    def policy(self, actor: Actor, command: commands.PolicyCommand) -> PolicyResult:
        changes = dict(command.changes)
        if any(isinstance(value, ChannelName) for value in changes.values()):
            # Only a manager's command asks Slack, and it asks before the write begins (no lock held meanwhile).
            with self._uow(actor.team_id, read_only=True) as uow:
                self._access.require_manager(actor, uow.workspaces.policy(), "change the policy")
            changes = {field: self._channel_id(actor.team_id, value) if isinstance(value, ChannelName) else value
                       for field, value in changes.items()}
        with self._uow(actor.team_id, read_only=not changes) as uow:
            policy = uow.workspaces.policy()
            if changes:
                self._access.require_manager(actor, policy, "change the policy")
                policy = uow.workspaces.change_policy(changes)
                uow.commit()
        return self.policy_result(policy, changed=tuple(changes))

    def policy_result(self, policy: Policy, *, changed: tuple[str, ...] = ()) -> PolicyResult:
        """The policy with what the server's settings add to it: their managers and default alert channel."""
        return PolicyResult(
            policy,
            changed=changed,
            alert_channel_default=self._default_alert_channel,
            settings_managers=tuple(sorted(self._settings_managers)),
        )

    def _channel_id(self, team_id: str, channel: ChannelName) -> str:
        found = self._channels.channel_id(team_id, channel.name) if self._channels is not None else None
        if found is None:
            raise InputError(
                f"`{channel.key}`: Deal Coach sees no channel named #{channel.name}, so nothing was changed. "
                "Check the name, or pick the channel with # so Slack links it; "
                "for a private channel, invite Deal Coach to it first.")
        return found
