"""`conversations.list` as Slack answers it: the workspace's channels of the asked types, a page at a time, with an
opaque cursor to the next page; private channels only where the bot is a member."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from bot.standin.refusals import Refusal

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


def conversations_list(channels: Mapping[str, dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    kinds = set(str(params.get("types") or "public_channel").split(","))
    listed = [dict(channel) for _, channel in sorted(channels.items())
              if _kind(channel) in kinds and not (_truthy(params.get("exclude_archived")) and channel["is_archived"])]
    start = _after(listed, params.get("cursor"))
    limit = _limit(params.get("limit"))
    page = listed[start:start + limit]
    more = start + limit < len(listed)
    cursor = base64.b64encode(f"channel:{listed[start + limit]['id']}".encode()).decode() if more else ""
    return {"channels": page, "response_metadata": {"next_cursor": cursor}}


def _kind(channel: dict[str, Any]) -> str:
    if channel["is_im"]:
        return "im"
    if channel["is_private"]:
        return "private_channel" if channel["is_member"] else "unseen"
    return "public_channel"


def _after(listed: list[dict[str, Any]], cursor: Any) -> int:
    """Where the page the cursor points to begins; a cursor Slack did not hand out is refused."""
    if not cursor:
        return 0
    try:
        channel_id = base64.b64decode(str(cursor), validate=True).decode().removeprefix("channel:")
    except ValueError as exc:
        raise Refusal("invalid_cursor") from exc
    for index, channel in enumerate(listed):
        if channel["id"] == channel_id:
            return index
    raise Refusal("invalid_cursor")


def _limit(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    if not str(value).isdigit():
        raise Refusal("invalid_limit")
    return max(1, min(int(value), MAX_LIMIT))


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")
