"""Who may do what: deal owners and managers change deals; only managers see the team or set policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.errors import NotAllowed
from bot.domain.model import Deal, Policy


@dataclass(frozen=True)
class Actor:
    """The Slack user behind a request, in the workspace and channel it came from."""

    team_id: str
    user_id: str
    channel_id: str = ""


class Directory(Protocol):
    """Answers whether a user is a Slack admin or owner (the managers when none are named)."""

    def is_admin(self, team_id: str, user_id: str) -> bool: ...


class Access:
    def __init__(self, settings_managers: frozenset[str], directory: Directory) -> None:
        self._settings_managers = settings_managers
        self._directory = directory

    def named_managers(self, policy: Policy) -> frozenset[str]:
        """The policy's and DEALCOACH_MANAGERS' people; when there are none, admins and owners are the managers."""
        return self._settings_managers | frozenset(policy.managers)

    def is_manager(self, actor: Actor, policy: Policy) -> bool:
        """The policy's and DEALCOACH_MANAGERS' people; with neither, the workspace's admins and owners."""
        named = self.named_managers(policy)
        if named:
            return actor.user_id in named
        return self._directory.is_admin(actor.team_id, actor.user_id)

    def require_manager(self, actor: Actor, policy: Policy, what: str) -> None:
        if not self.is_manager(actor, policy):
            raise NotAllowed(f"Only managers can {what}.")

    def require_owner_or_manager(self, actor: Actor, deal: Deal, policy: Policy, what: str = "change") -> None:
        if actor.user_id != deal.owner_id and not self.is_manager(actor, policy):
            raise NotAllowed(f"Only <@{deal.owner_id}> (the deal's owner) and managers can {what} `{deal.name}`.")
