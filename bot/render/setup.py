"""The App Home's setup, for managers: who the managers are, where alerts and the digest go, and when.
Input blocks with a Save button (a Home tab has no submit), read back by `bot/slack/setup.py`."""

from __future__ import annotations

import calendar

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    InputInteractiveElement,
    Option,
    StaticSelectElement,
    UserMultiSelectElement,
)

from bot.commands.policy import DAYS
from bot.render import words
from bot.render.blocks import Block, context, header, section
from bot.services.results import PolicyResult
from bot.slack.ids import Action, SetupBlock

# Alerts and digests name figures: a channel shared with another organisation is not offered.
_CHANNELS = ConversationFilter(include=["public", "private"], exclude_bot_users=True,
                               exclude_external_shared_channels=True)
_DAYS = [Option(value=day, label=calendar.day_name[index]) for index, day in enumerate(DAYS)]
_HOURS = [Option(value=str(hour), label=f"{hour:02d}:00") for hour in range(24)]


def setup_blocks(result: PolicyResult, *, admins_are_managers: bool, notice: str = "") -> list[Block]:
    """The manager's setup with the values in force, and what became of their last save."""
    policy = result.policy
    blocks: list[Block] = [header("Setup")]
    if admins_are_managers:
        blocks.append(section(words.SETUP_ADMINS_ARE_MANAGERS))
    blocks.append(_input(SetupBlock.MANAGERS, "Managers", UserMultiSelectElement(
        action_id=Action.SETUP_MANAGERS, placeholder="Pick your sales managers",
        initial_users=list(policy.managers) or None), hint=words.SETUP_MANAGERS_HINT))
    if result.settings_managers:
        blocks.append(context("Also managers, through the server's settings: " + mentions(result.settings_managers)))
    blocks.append(_input(SetupBlock.ALERT_CHANNEL, "Alert channel", ConversationSelectElement(
        action_id=Action.SETUP_ALERT_CHANNEL, placeholder="Pick the managers' channel",
        initial_conversation=policy.alert_channel, filter=_CHANNELS), hint=words.SETUP_ALERT_HINT))
    if not policy.alert_channel:
        default = result.alert_channel_default
        blocks.append(context(f"Until you pick one, alerts go to <#{default}> (the server's default)." if default
                              else "No alert channel yet: managers are not alerted."))
    blocks.append(_input(SetupBlock.DIGEST_CHANNEL, "Digest channel", ConversationSelectElement(
        action_id=Action.SETUP_DIGEST_CHANNEL, placeholder="Pick a channel for the weekly digest",
        initial_conversation=policy.digest_channel, filter=_CHANNELS), hint=words.SETUP_DIGEST_HINT, optional=True))
    blocks.append(_input(SetupBlock.DIGEST_DAY, "Digest day", StaticSelectElement(
        action_id=Action.SETUP_DIGEST_DAY, options=_DAYS, initial_option=_DAYS[DAYS.index(policy.digest_day)])))
    blocks.append(_input(SetupBlock.DIGEST_HOUR, "Digest hour", StaticSelectElement(
        action_id=Action.SETUP_DIGEST_HOUR, options=_HOURS, initial_option=_HOURS[policy.digest_hour]),
        hint=f"In the workspace's time zone, {policy.timezone}. Change it with /deal policy timezone=Europe/Paris."))
    blocks.append(ActionsBlock(elements=[ButtonElement(
        text="Save setup", action_id=Action.SAVE_SETUP, value="save", style="primary")]).to_dict())
    if notice:
        blocks.append(context(notice))
    blocks.append(context(words.SETUP_MORE))
    return blocks


def managers_line(result: PolicyResult, *, admins_are_managers: bool) -> str:
    """Whom a rep answers to, as mentions."""
    if admins_are_managers:
        return "Your managers: none named yet, so your Slack workspace's admins and owners."
    named = dict.fromkeys([*result.policy.managers, *result.settings_managers])
    return f"Your managers: {mentions(tuple(named))}."


def mentions(user_ids: tuple[str, ...]) -> str:
    return " ".join(f"<@{user}>" for user in user_ids)


def _input(block_id: str, label: str, element: InputInteractiveElement, *, hint: str | None = None,
           optional: bool = False) -> Block:
    return InputBlock(block_id=block_id, label=label, element=element, hint=hint, optional=optional).to_dict()
