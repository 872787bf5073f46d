"""What the app asks Slack about its workspace: whether a user is an admin or owner (cached, for workspaces that
name no managers), and a channel's id from its name (for `/deal policy alert_channel=#deal-alerts`)."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk.errors import SlackApiError

from bot.domain.errors import DealCoachError
from bot.services.installs import NotInstalled
from bot.slack.clients import WorkspaceClients

log = logging.getLogger(__name__)
PAGE_SIZE = 200  # Slack's advice for conversations.list: under 1,000, ideally 200


class SlackDirectory:
    def __init__(self, clients: WorkspaceClients, ttl_seconds: float = 600.0) -> None:
        self._clients, self._ttl = clients, ttl_seconds
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def is_admin(self, team_id: str, user_id: str) -> bool:
        key = (team_id, user_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            user = self._clients.for_team(team_id).users_info(user=user_id)["user"]
        except SlackApiError as exc:
            # Unknown means not a manager: a refusal the user can see beats granting by mistake.
            log.warning("users.info failed for a manager check: %s", exc.response.get("error"))
            return False
        except NotInstalled:
            return False
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        with self._lock:
            self._cache[key] = (time.monotonic(), admin)
        return admin

    def channel_id(self, team_id: str, name: str) -> str | None:
        """The id of the channel called `name` among those Deal Coach can see (public ones, and private ones it
        was invited to), page by page until found; archived channels are left out."""
        try:
            client = self._clients.for_team(team_id)
            pages = client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                              limit=PAGE_SIZE)
            for page in pages:
                for channel in page.get("channels") or []:
                    if channel.get("name") == name:
                        return str(channel["id"])
        except SlackApiError as exc:
            log.warning("conversations.list failed looking up a channel: %s", exc.response.get("error"))
            raise DealCoachError(
                f"Slack did not say which channel #{name} is, so nothing was changed. Pick the channel with # "
                "so Slack links it, or try again in a moment.") from exc
        return None
