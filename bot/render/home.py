"""The App Home tab: private to the person looking, so headroom may show; a manager also gets the setup."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.views import View

from bot.render.blocks import context, divider, escape, header, section
from bot.render.replies import deal_line
from bot.render.setup import managers_line, setup_blocks
from bot.services.home import HomeResult

MAX_HOME_BLOCKS = 100


def home_view(result: HomeResult, *, notice: str = "") -> dict[str, Any]:
    """`notice`: what became of the person's last save of the setup, shown beside its Save button (for a
    manager) or at the top."""
    setup = (setup_blocks(result.policy, admins_are_managers=result.admins_are_managers, notice=notice)
             if result.is_manager and result.policy is not None else [])
    blocks = [] if setup or not notice else [section(notice)]
    if setup and result.admins_are_managers:
        blocks += [*setup, divider()]  # nobody is named yet: the first thing to do here
    blocks += [header("Your open deals")]
    blocks += [section(deal_line(line)) for line in result.mine] or [
        section("No open deals. Open one with `/deal new`.")]
    if result.is_manager:
        blocks += [divider(), header("Waiting for your decision")]
        blocks += [section(deal_line(line, owner=True)) for line in result.awaiting_decision] or [
            section("No alerts are waiting.")]
        blocks += [divider(), header("Team deals at escalate or walk away")]
        blocks += [section(deal_line(line, owner=True)) for line in result.needs_attention] or [
            section("None right now.")]
    elif result.policy is not None:
        blocks.append(context(managers_line(result.policy, admins_are_managers=result.admins_are_managers)))
    blocks.append(context(escape("Figures here are visible only to you. `/deal status <deal>` for the whole ledger.")))
    if setup and not result.admins_are_managers:
        blocks += [divider(), *setup]
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS]).to_dict()

