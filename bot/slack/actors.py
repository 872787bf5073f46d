"""Who sent a Slack request, as an `Actor`: the one reading of a body's team, user and channel."""

from __future__ import annotations

from typing import Any

from bot.services.access import Actor


def actor_from(body: dict[str, Any]) -> Actor | None:
    """The sender of a slash command (flat fields), a button, a shortcut or a form (nested ones); None when the
    body does not say which team and user, so nothing is done for nobody. A form's body names no channel (the
    one it was opened from travels in its metadata), so its actor has none."""
    user = _dict(body.get("user"))
    team = _text(body.get("team_id")) or _text(_dict(body.get("team")).get("id")) or _text(user.get("team_id"))
    user_id = _text(body.get("user_id")) or _text(user.get("id"))
    if not team or not user_id:
        return None
    channel_id = (_text(body.get("channel_id")) or _text(_dict(body.get("channel")).get("id"))
                  or _text(_dict(body.get("container")).get("channel_id")))
    return Actor(team_id=team, user_id=user_id, channel_id=channel_id)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
