"""Slack's answer to "is this user an admin or owner?", cached, for workspaces that name no managers."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class SlackDirectory:
    def __init__(self, client: WebClient, ttl_seconds: float = 600.0) -> None:
        self._client, self._ttl = client, ttl_seconds
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def is_admin(self, team_id: str, user_id: str) -> bool:
        key = (team_id, user_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            user = self._client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            # Unknown means not a manager: a refusal the user can see beats granting by mistake.
            log.warning("users.info failed for a manager check: %s", exc.response.get("error"))
            return False
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        with self._lock:
            self._cache[key] = (time.monotonic(), admin)
        return admin
