"""What installing and uninstalling the app does to a workspace: the installer manages it; an uninstall drops its
bot token and stops its outbox, and leaves its deals and policy as they were."""

from __future__ import annotations

from collections.abc import Callable

from bot.db.uow import UnitOfWorkFactory

UNINSTALLED = "the app was uninstalled from this workspace, or its bot token revoked"


class NotInstalled(Exception):
    """The workspace has no installation (never installed, uninstalled, or its token revoked)."""


class InstallService:
    def __init__(self, uow: UnitOfWorkFactory, *, forget_client: Callable[[str], None] = lambda _team: None) -> None:
        self._uow = uow
        self._forget_client = forget_client  # this process's cached Web API client for the workspace

    def installed(self, team_id: str, installer_id: str | None) -> None:
        """The person who installs the app is one of the workspace's managers (added to the policy's)."""
        if not installer_id:
            return
        with self._uow(team_id) as uow:
            managers = uow.workspaces.policy().managers
            if installer_id not in managers:
                uow.workspaces.change_policy({"managers": (*managers, installer_id)})
            uow.commit()

    def uninstalled(self, team_id: str) -> int:
        """The workspace's bot token is dropped and its messages not yet sent are stopped, in one transaction; its
        deals, ledgers and policy stay, for when it installs again. Returns how many messages were stopped."""
        with self._uow(team_id) as uow:
            uow.installations.remove()
            stopped = uow.outbox.stop_pending(UNINSTALLED)
            uow.commit()
        self._forget_client(team_id)
        return stopped
