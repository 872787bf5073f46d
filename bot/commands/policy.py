"""Reads `/deal policy key=value` pairs into typed policy changes; every key checked, nothing half-applied."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import InputError
from bot.domain.money import parse_amount, parse_percent

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CHANNEL = re.compile(r"^<#(?P<id>[CG][A-Z0-9]+)(?:\|[^>]*)?>$|^#?(?P<bare>[CG][A-Z0-9]{6,})$")
# A channel's name typed without Slack's link (`#deal-alerts`, `deal-alerts`): letters, digits, - and _.
_CHANNEL_NAME = re.compile(r"^#?(?P<name>[^\W_][\w-]{0,79})$")
_USER = re.compile(r"^<@(?P<id>[UW][A-Z0-9]+)(?:\|[^>]*)?>$|^@?(?P<bare>[UW][A-Z0-9]{6,})$")
NONE_WORDS = frozenset({"none", "off", "-"})


def _whole(low: int, high: int) -> Callable[[str, str], int]:
    def parse(key: str, value: str) -> int:
        if not re.fullmatch(r"\d{1,6}", value) or not low <= int(value) <= high:
            raise InputError(f"`{key}` takes a whole number from {low} to {high}, not `{value}`.")
        return int(value)

    return parse


def _percent(key: str, value: str) -> int:
    # The key in backticks, as typed: "`near_floor` must be more than 0%", never "Near_floor must…".
    return parse_percent(value if value.endswith("%") else value + "%", what=f"`{key}`")


def _money(key: str, value: str) -> int:
    return parse_amount(value, what=f"`{key}`").cents


@dataclass(frozen=True)
class ChannelName:
    """A channel named without Slack's link (`#deal-alerts`): the service looks its id up before saving."""

    key: str  # the policy key as typed, for the error that names it
    name: str


def _channel(key: str, value: str) -> str | ChannelName | None:
    if value.lower() in NONE_WORDS:
        return None
    if match := _CHANNEL.match(value):
        return match.group("id") or match.group("bare")
    if match := _CHANNEL_NAME.match(value):
        return ChannelName(key, match.group("name").lower())
    raise InputError(f"`{key}` takes a channel (pick it with #) or `none`, not `{value}`.")


def parse_user(value: str) -> str | None:
    match = _USER.match(value.strip())
    return (match.group("id") or match.group("bare")) if match else None


def _users(key: str, value: str) -> tuple[str, ...]:
    if value.lower() in NONE_WORDS:
        return ()
    users = []
    for part in filter(None, re.split(r"[,\s]+", value)):
        user = parse_user(part)
        if user is None:
            raise InputError(f"`{key}` takes people (mention them with @), not `{part}`.")
        users.append(user)
    return tuple(dict.fromkeys(users))


def _day(key: str, value: str) -> str:
    day = value.lower()[:3]
    if day not in DAYS:
        raise InputError(f"`{key}` takes a weekday (mon … sun), not `{value}`.")
    return day


def _timezone(key: str, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"`{key}` takes a time zone such as Europe/Paris or America/New_York, not `{value}`.") from exc
    return value


# Policy key as typed -> (field of domain Policy, parser)
KEYS: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "cap": ("cap_bp", _percent),
    "near_floor": ("near_floor_bp", _percent),
    "unreciprocated": ("unreciprocated", _whole(1, 50)),
    "max_concessions": ("max_concessions", _whole(1, 100)),
    "hourly_cost": ("hourly_cost_cents", _money),
    "time_share": ("time_share_bp", _percent),
    "alert_channel": ("alert_channel", _channel),
    "managers": ("managers", _users),
    "digest_day": ("digest_day", _day),
    "digest_hour": ("digest_hour", _whole(0, 23)),
    "timezone": ("timezone", _timezone),
    "digest_channel": ("digest_channel", _channel),
    "stale_days": ("stale_days", _whole(1, 365)),
}


def parse_policy_changes(pairs: list[tuple[str, str]]) -> dict[str, object]:
    """`[("cap", "25%")]` -> `{"cap_bp": 2500}`; an unknown key or bad value raises before anything changes."""
    changes: dict[str, object] = {}
    for key, value in pairs:
        normal = key.lower().replace("-", "_")
        if normal not in KEYS:
            raise InputError(f"`{key}` is not a policy key. Keys: {', '.join(KEYS)}.")
        field, parse = KEYS[normal]
        changes[field] = parse(normal, value)
    return changes
