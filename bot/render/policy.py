"""The workspace policy as managers type it: each key as typed (`cap`), each value in their words (25%)."""

from __future__ import annotations

import calendar
from collections.abc import Callable

from bot.commands.policy import DAYS, KEYS
from bot.render import words
from bot.render.blocks import Reply, context, reply, section
from bot.render.words import percent
from bot.services.results import PolicyResult


def policy_reply(result: PolicyResult) -> Reply:
    values = {key: describe(result) for key, describe in _VALUES.items()}
    lines = [f"`{key}` = {values[key]}" + (f" · {words.POLICY_GLOSSES[key]}" if key in words.POLICY_GLOSSES else "")
             for key in KEYS]
    changed = [key for key, (field, _) in KEYS.items() if field in result.changed]
    head = ("Policy updated: " + "; ".join(f"`{key}` = {values[key]}" for key in changed) + "."
            if changed else "*Workspace policy*")
    return reply("Workspace policy", [section(head), section("\n".join(lines)),
                                       context("Managers change it with `/deal policy key=value …`.")])


def _alert_channel(result: PolicyResult) -> str:
    if result.policy.alert_channel:
        return f"<#{result.policy.alert_channel}>"
    if result.alert_channel_default:
        return f"<#{result.alert_channel_default}> (the server's default)"
    return "none (managers are not alerted)"


def _managers(result: PolicyResult) -> str:
    named = [*result.policy.managers, *(m for m in result.settings_managers if m not in result.policy.managers)]
    return " ".join(f"<@{m}>" for m in named) if named else "none named, so Slack admins and owners"


def _digest_channel(result: PolicyResult) -> str:
    channel = result.policy.digest_channel
    return f"<#{channel}>" if channel else "none (managers get the digest by direct message only)"


# Key as typed -> its value in the words a manager would type or read; every key of KEYS has one.
_VALUES: dict[str, Callable[[PolicyResult], str]] = {
    "cap": lambda r: percent(r.policy.cap_bp),
    "near_floor": lambda r: f"{percent(r.policy.near_floor_bp)} of list",
    "unreciprocated": lambda r: str(r.policy.unreciprocated),
    "max_concessions": lambda r: str(r.policy.max_concessions),
    "hourly_cost": lambda r: f"{words.plain_amount(r.policy.hourly_cost_cents)} per hour, in each deal's currency",
    "time_share": lambda r: f"{percent(r.policy.time_share_bp)} of the effective price",
    "alert_channel": _alert_channel,
    "managers": _managers,
    "digest_day": lambda r: calendar.day_name[DAYS.index(r.policy.digest_day)],
    "digest_hour": lambda r: f"{r.policy.digest_hour:02d}:00",
    "timezone": lambda r: r.policy.timezone,
    "digest_channel": _digest_channel,
    "stale_days": lambda r: f"{r.policy.stale_days} days",
}
