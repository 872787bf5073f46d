"""Slack's word that the app was uninstalled from a workspace, or its bot token revoked: the workspace's token is
dropped and its pending messages stopped; nothing else of it changes. Bolt asks no token for these two events."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.services.installs import InstallService
from bot.slack.ids import Event

log = logging.getLogger(__name__)


def register(app: App, installs: InstallService) -> None:
    @app.event(Event.APP_UNINSTALLED)
    def uninstalled(context: BoltContext) -> None:
        _forget(installs, context.team_id)

    @app.event(Event.TOKENS_REVOKED)
    def tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and tokens.get("bot"):  # users' tokens are none of ours
            _forget(installs, context.team_id)


def _forget(installs: InstallService, team_id: str | None) -> None:
    if team_id:
        stopped = installs.uninstalled(team_id)
        log.info("workspace %s uninstalled the app: its bot token dropped, %s messages stopped", team_id, stopped)
