"""The Web API client to use for a workspace: SLACK_BOT_TOKEN's in single-workspace mode, else one with the bot
token the workspace got when it installed the app (OAuth mode), for what is sent outside a request (the outbox,
the LLM's follow-ups, the manager check)."""

from __future__ import annotations

import threading
import time

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import InstallationStore

from bot.config import Settings
from bot.services.installs import NotInstalled

CACHE_SECONDS = 30.0  # another replica's uninstall is seen this late at most (and Slack refuses the token anyway)


def web_client(settings: Settings, *, token: str | None, retries: bool = True, timeout: int = 10) -> WebClient:
    """A client of Slack's Web API at SLACK_API_URL with a bot token (SLACK_BOT_TOKEN's, a workspace's or none)."""
    client = WebClient(token=token, base_url=settings.slack_api_url, timeout=timeout)
    if retries:
        client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=1))
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return client


class WorkspaceClients:
    def __init__(self, settings: Settings, store: InstallationStore | None = None, *, timeout: int = 10) -> None:
        self._settings, self._store, self._timeout = settings, store, timeout
        # Single-workspace mode: one client of each kind for every team.
        self._single = None if store is not None else {
            retries: web_client(settings, token=settings.bot_token, retries=retries, timeout=timeout)
            for retries in (True, False)}
        self._cache: dict[tuple[str, bool], tuple[float, WebClient]] = {}
        self._lock = threading.Lock()

    @property
    def distributable(self) -> bool:
        return self._store is not None

    def for_team(self, team_id: str, *, retries: bool = True) -> WebClient:
        """`retries`: retry a dropped connection and a rate limit once, in the call (not for the outbox worker,
        which reschedules instead). Raises NotInstalled in OAuth mode when the workspace has no bot token."""
        if self._single is not None:
            return self._single[retries]
        key, now = (team_id, retries), time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        assert self._store is not None, "not single-workspace: a store"
        bot = self._store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            self.forget(team_id)
            raise NotInstalled(team_id)
        client = web_client(self._settings, token=bot.bot_token, retries=retries, timeout=self._timeout)
        with self._lock:
            self._cache[key] = (now, client)
        return client

    def forget(self, team_id: str) -> None:
        """After an uninstall in this process: the workspace's token is not used again."""
        with self._lock:
            for retries in (True, False):
                self._cache.pop((team_id, retries), None)
