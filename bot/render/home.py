"""The App Home tab: private to the person looking, so headroom may show."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.render import words
from bot.render.blocks import context, divider, escape, header, section
from bot.render.words import money
from bot.services.home import HomeResult
from bot.services.results import DealLine

MAX_HOME_BLOCKS = 100


def home_view(result: HomeResult) -> dict:
    blocks = [header("Your open deals")]
    blocks += [section(_line(line)) for line in result.mine] or [section("No open deals. Open one with `/deal new`.")]
    if result.is_manager:
        blocks += [divider(), header("Waiting for your decision")]
        blocks += [section(_line(line, owner=True)) for line in result.awaiting_decision] or [
            section("No alerts are waiting.")]
        blocks += [divider(), header("Team deals at escalate or walk away")]
        blocks += [section(_line(line, owner=True)) for line in result.needs_attention] or [
            section("None right now.")]
    blocks.append(context("Figures here are visible only to you. `/deal status <deal>` for the whole ledger."))
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS]).to_dict()


def _line(line: DealLine, *, owner: bool = False) -> str:
    deal = line.deal
    who = f" · <@{deal.owner_id}>" if owner else ""
    return (
        f"{words.VERDICT_EMOJI[line.judgement.verdict]} *{escape(deal.name)}* (#{deal.id}){who} · "
        f"*{line.judgement.verdict.word}* · headroom {money(deal, line.ledger.headroom_cents)} · "
        f"{len(line.ledger.gives)} concessions"
    )
