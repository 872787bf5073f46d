"""The App Home's Save button: what the manager changed in the setup's pickers, read from the view's state as
`/deal policy` pairs and saved through the same parser and service (same checks, managers only); the Home is
then published again with a line saying it was saved, or why not."""

from __future__ import annotations

import logging
from typing import Any

from bot.commands.policy import parse_policy_changes
from bot.commands.types import PolicyCommand
from bot.render import words
from bot.slack.actors import actor_from
from bot.slack.failures import failure_sentence
from bot.slack.ids import Action, SetupBlock
from bot.slack.router import Services

log = logging.getLogger(__name__)

# Policy key as typed -> where the setup shows it
FIELDS: tuple[tuple[str, SetupBlock, Action], ...] = (
    ("managers", SetupBlock.MANAGERS, Action.SETUP_MANAGERS),
    ("alert_channel", SetupBlock.ALERT_CHANNEL, Action.SETUP_ALERT_CHANNEL),
    ("digest_channel", SetupBlock.DIGEST_CHANNEL, Action.SETUP_DIGEST_CHANNEL),
    ("digest_day", SetupBlock.DIGEST_DAY, Action.SETUP_DIGEST_DAY),
    ("digest_hour", SetupBlock.DIGEST_HOUR, Action.SETUP_DIGEST_HOUR),
)


def save_setup(services: Services, body: dict[str, Any]) -> None:
    """Saves what was changed and queues the Home again with the outcome in words."""
    actor = actor_from(body)
    view = _dict(body.get("view"))
    if actor is None or view.get("type") != "home":
        return
    try:
        pairs = setup_pairs(view)
        if pairs:
            services.workspace.policy(actor, PolicyCommand(parse_policy_changes(pairs)))
        notice = words.SETUP_SAVED if pairs else words.SETUP_UNCHANGED
    except Exception as exc:  # every failure is told on the Home, in words (failure_sentence logs the unknown)
        notice = f":warning: {failure_sentence(exc)}"
    services.notices.refresh_home(actor.team_id, actor.user_id, notice=notice)


def setup_pairs(view: dict[str, Any]) -> list[tuple[str, str]]:
    """The setup's values that differ from those the Home was published with, in `/deal policy`'s words
    (`managers=<@U1> <@U2>`, `alert_channel=<#C1>`, `digest_day=mon`): a Home left open while another manager
    changed something does not put back what it showed."""
    state = _dict(_dict(view.get("state")).get("values"))
    shown = {block.get("block_id"): _element_value(_dict(block.get("element")), initial=True)
             for block in view.get("blocks") or [] if isinstance(block, dict) and block.get("type") == "input"}
    pairs = []
    for key, block, action in FIELDS:
        picked = _dict(_dict(state.get(block)).get(action))
        value = _element_value(picked, initial=False) if picked else None
        if value is not None and value != shown.get(block):
            pairs.append((key, value))
    return pairs


def _element_value(element: dict[str, Any], *, initial: bool) -> str | None:
    """A picker's value as typed after `key=`: what is picked in the state, or what the view showed at first."""
    kind = element.get("type")
    if kind == "multi_users_select":
        users = element.get("initial_users" if initial else "selected_users") or []
        return " ".join(f"<@{user}>" for user in users) or "none"
    if kind in ("conversations_select", "channels_select"):
        field = {"conversations_select": "conversation", "channels_select": "channel"}[kind]
        channel = element.get(f"initial_{field}" if initial else f"selected_{field}")
        return f"<#{channel}>" if channel else "none"
    if kind == "static_select":
        option = _dict(element.get("initial_option" if initial else "selected_option"))
        return str(option["value"]) if option.get("value") is not None else None
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
