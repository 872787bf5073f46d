"""A local stand-in for Slack's Web API over real HTTP, for tests and the offline demo and console: what they set up
in it, fail on purpose, and read back of what the app sent."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from bot.standin.faults import FaultInjection
from bot.standin.installs import Installs, Team
from bot.standin.methods import WebAPIMethods
from bot.standin.records import Call, Message, Recorded, Upload
from bot.standin.server import Routes, StandInServer

__all__ = ["Call", "Message", "SlackStandIn", "Upload"]


class SlackStandIn(FaultInjection):
    """Answers Slack Web API methods on 127.0.0.1 and records everything the app sent.

    The methods and the workspace they change are in methods.py, the HTTP routes in server.py, what is
    recorded in records.py, and the faults a test asks for (`fail_next`, `stall_next`, `delay`) in faults.py."""

    def __init__(self, token: str = "xoxb-test", team_id: str = "T0001", bot_user_id: str = "U0BOT") -> None:
        super().__init__()
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.base_url: str | None = None
        # One lock for the workspace and the records: a method's changes and a test's reading never interleave.
        self._lock = threading.RLock()
        self._recorded = Recorded()
        self._methods = WebAPIMethods(team_id, bot_user_id, self._recorded, self._lock)
        self._installs = Installs(Team(team_id, "Stand-in Workspace", bot_user_id, token))
        self._routes = Routes(self._installs, self._methods, self, self._recorded, self._lock)
        self._server: StandInServer | None = None

    # ----- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> str:
        """Listens on a free port of 127.0.0.1; returns the base URL for WebClient(base_url=...)."""
        if self._server is not None:
            return self.base_url or ""
        self._server = StandInServer(self._routes).start("slack-standin")
        self._methods.site_url = self._server.url
        self.base_url = f"{self._server.url}/api/"
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> SlackStandIn:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----- fixtures --------------------------------------------------------------------------------------

    def set_channel(self, channel_id: str, *, name: str | None = None, is_ext_shared: bool = False) -> None:
        self._methods.set_channel(channel_id, name=name, is_ext_shared=is_ext_shared)

    def set_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "America/New_York",
    ) -> None:
        self._methods.set_user(user_id, name=name, is_admin=is_admin, is_owner=is_owner, tz=tz)

    # ----- installs (OAuth) ------------------------------------------------------------------------------

    def set_oauth_app(self, client_id: str, client_secret: str) -> None:
        """The app's credentials, which oauth.v2.access checks."""
        with self._lock:
            self._installs.set_app(client_id, client_secret)

    def approve_install(self, team_id: str, *, installer: str, name: str | None = None, scopes: str = "commands",
                        bot_user_id: str = "U0BOT") -> str:
        """What Slack's authorize page does when `installer` clicks Allow: a code for the app's redirect URL, which
        oauth.v2.access trades once for a new bot token of `team_id`."""
        with self._lock:
            return self._installs.approve(team_id, name=name or f"Workspace {team_id}", installer=installer,
                                          scopes=scopes, bot_user_id=bot_user_id)

    def tokens_of(self, team_id: str) -> list[str]:
        """The bot tokens that work for the workspace now."""
        with self._lock:
            return self._installs.tokens_of(team_id)

    def revoke(self, team_id: str) -> None:
        """The workspace uninstalled the app: its tokens stop working (the app learns it from an event)."""
        with self._lock:
            self._installs.revoke(team_id)

    # ----- what the app did ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._recorded.calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._recorded.calls if call.method == method]

    def clear(self) -> None:
        """Forgets recorded calls, messages, responses, views and uploads; keeps fixtures and faults."""
        with self._lock:
            self._recorded.forget()

    def messages(
        self, channel: str | None = None, *, thread_ts: str | None = None, include_threads: bool = True
    ) -> list[Message]:
        """Visible messages in posting order; `thread_ts` selects that thread's replies (not its parent)."""
        with self._lock:
            found = [m for m in self._recorded.messages if channel is None or m.channel == channel]
            if thread_ts is not None:
                found = [m for m in found if m.thread_ts == thread_ts]
            elif not include_threads:
                found = [m for m in found if m.thread_ts is None]
            return copy.deepcopy(found)

    def ephemerals(self, user: str | None = None) -> list[Message]:
        with self._lock:
            return copy.deepcopy([m for m in self._recorded.ephemerals if user is None or m.ephemeral_to == user])

    def response_url(self, key: str) -> str:
        """A response_url for a fake command or action; what is posted to it shows up in responses(key)."""
        if self.base_url is None:
            raise RuntimeError("start() the stand-in before asking for a response_url")
        return self.base_url.removesuffix("api/") + "respond/" + quote(key, safe="")

    def responses(self, key: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy([body for k, body in self._recorded.responses if key is None or k == key])

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for the user, if any."""
        with self._lock:
            view_id = self._recorded.home_views.get(user_id)
            return copy.deepcopy(self._recorded.views[view_id]) if view_id else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._recorded.views.get(view_id)
            return copy.deepcopy(found) if found else None

    def uploads(self) -> list[Upload]:
        with self._lock:
            return copy.deepcopy(list(self._recorded.uploads.values()))

    def wait_for(self, predicate: Callable[[], object], timeout: float = 5.0) -> bool:
        """Polls for work the app does in the background (alert delivery, lazy listeners)."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
