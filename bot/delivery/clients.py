"""What the outbox worker needs to reach Slack: each workspace's Web API client (`bot.slack.clients` gives it)."""

from __future__ import annotations

from typing import Protocol

from slack_sdk import WebClient


class TeamClients(Protocol):
    def for_team(self, team_id: str, *, retries: bool = True) -> WebClient:
        """The workspace's client; raises `bot.services.installs.NotInstalled` for a workspace without one."""
        ...
