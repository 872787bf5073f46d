"""The stand-in's workspaces, each known by its own bot token, and Slack's side of an OAuth install: the code its
authorize page hands the installer's browser, traded once by `oauth.v2.access` for a new workspace's bot token."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from typing import Any

from bot.standin.refusals import Refusal


@dataclass(frozen=True)
class Team:
    """A workspace as its bot token shows it (what auth.test answers)."""

    team_id: str
    name: str
    bot_user_id: str
    token: str


@dataclass(frozen=True)
class _Approval:
    team: Team
    installer: str
    scopes: str


class Installs:
    """Every call is made under the stand-in's lock (server.py)."""

    def __init__(self, first: Team) -> None:
        self.first = first
        self._by_token = {first.token: first}
        self._codes: dict[str, _Approval] = {}
        self._client: tuple[str, str] | None = None  # the app's client id and secret, once a test sets them

    def set_app(self, client_id: str, client_secret: str) -> None:
        self._client = (client_id, client_secret)

    def approve(self, team_id: str, *, name: str, installer: str, scopes: str, bot_user_id: str) -> str:
        """What Slack's authorize page does when `installer` clicks Allow: a one-time code for the redirect. A
        workspace that has the app already keeps its bot token, as on Slack."""
        known = self.tokens_of(team_id)
        token = known[0] if known else f"xoxb-{team_id.lower()}-{secrets.token_hex(8)}"
        code = secrets.token_hex(12)
        self._codes[code] = _Approval(Team(team_id, name, bot_user_id, token), installer, scopes)
        return code

    def team_of(self, token: str) -> Team | None:
        return self._by_token.get(token)

    def tokens_of(self, team_id: str) -> list[str]:
        return [token for token, team in self._by_token.items() if team.team_id == team_id]

    def revoke(self, team_id: str) -> None:
        """Uninstalled, or its token revoked: the workspace's tokens no longer work."""
        for token in self.tokens_of(team_id):
            del self._by_token[token]

    def exchange(self, params: dict[str, Any], authorization: str) -> dict[str, Any]:
        """oauth.v2.access: the app's credentials (HTTP Basic, or in the form) and a code, for the bot token."""
        if self._client is None or self._credentials(params, authorization) != self._client:
            raise Refusal("invalid_client_id" if self._client is None else "bad_client_secret")
        approval = self._codes.pop(str(params.get("code") or ""), None)
        if approval is None:
            raise Refusal("invalid_code")
        team = approval.team
        self._by_token[team.token] = team
        return {"app_id": "A0DEALCOACH", "authed_user": {"id": approval.installer}, "scope": approval.scopes,
                "token_type": "bot", "access_token": team.token, "bot_user_id": team.bot_user_id,
                "team": {"id": team.team_id, "name": team.name}, "enterprise": None, "is_enterprise_install": False}

    @staticmethod
    def _credentials(params: dict[str, Any], authorization: str) -> tuple[str, str]:
        if authorization.startswith("Basic "):
            try:
                pair = base64.b64decode(authorization.removeprefix("Basic ").strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                return "", ""
            client_id, _, secret = pair.partition(":")
            return client_id, secret
        return str(params.get("client_id") or ""), str(params.get("client_secret") or "")
