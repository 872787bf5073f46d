"""The App Home tab: private to the person looking, so headroom may show."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.render.blocks import context, divider, header, section
from bot.render.replies import deal_line
from bot.services.home import HomeResult

MAX_HOME_BLOCKS = 100


def home_view(result: HomeResult) -> dict:
    blocks = [header("Your open deals")]
    blocks += [section(deal_line(line)) for line in result.mine] or [
        section("No open deals. Open one with `/deal new`.")]
    if result.is_manager:
        blocks += [divider(), header("Waiting for your decision")]
        blocks += [section(deal_line(line, owner=True)) for line in result.awaiting_decision] or [
            section("No alerts are waiting.")]
        blocks += [divider(), header("Team deals at escalate or walk away")]
        blocks += [section(deal_line(line, owner=True)) for line in result.needs_attention] or [
            section("None right now.")]
    blocks.append(context("Figures here are visible only to you. `/deal status <deal>` for the whole ledger."))
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS]).to_dict()
