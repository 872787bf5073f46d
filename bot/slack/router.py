"""Routes a parsed `/deal` command to its service and renderer; turns every failure into a reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.commands import parse_command, usage_for
from bot.commands import types as commands
from bot.render import replies, words
from bot.render.blocks import Reply, context
from bot.render.confirm import confirm_reply
from bot.render.modals import new_deal_modal
from bot.render.policy import policy_reply
from bot.render.summaries import summary_reply
from bot.services.access import Actor
from bot.services.coaching import CoachingService
from bot.services.deals import DealService
from bot.services.decisions import DecisionService
from bot.services.exports import ExportService
from bot.services.installs import InstallService
from bot.services.notices import NoticeService
from bot.services.results import DealResult, ToConfirm
from bot.services.summaries import SummaryService
from bot.services.threads import ThreadService
from bot.services.workspace import WorkspaceService
from bot.slack.failures import guarded
from bot.slack.followups import LLMFollowUps
from bot.slack.forms import OpenForm
from bot.slack.metadata import NewDealForm

Answer = Reply | OpenForm  # a form to open is carried out by the listener, which holds the Bolt client
ONE_LINE_NEW = "/deal new <name> list=<amount> floor=<amount>"


@dataclass(frozen=True)
class Services:
    deals: DealService
    workspace: WorkspaceService
    notices: NoticeService
    decisions: DecisionService
    summaries: SummaryService
    coaching: CoachingService
    exports: ExportService
    threads: ThreadService | None = None
    followups: LLMFollowUps | None = None  # set when an LLM is configured
    installs: InstallService | None = None  # installs and uninstalls of the app


def _coached(services: Services, actor: Actor, result: DealResult, response_url: str | None) -> Reply:
    """The reply with the offline coach's advice now; the LLM's phrasing follows when one is configured."""
    reply = replies.deal_reply(result)
    followups = services.followups
    if followups is not None and response_url and followups.replace_reply(actor, result, response_url):
        reply.blocks.append(context(words.LLM_FOLLOWS))
    return reply


def _conceded(services: Services, actor: Actor, result: DealResult | ToConfirm, response_url: str | None) -> Reply:
    """The concession's reply, or what was read with buttons to confirm or correct it."""
    if isinstance(result, ToConfirm):
        return confirm_reply(result)
    return _coached(services, actor, result, response_url)


def _deal_routes(services: Services) -> dict[type, Callable[..., Answer]]:
    deals, workspace = services.deals, services.workspace
    return {
        commands.Status: lambda actor, cmd, ctx: replies.deal_reply(deals.status(actor, cmd)),
        commands.Ask: lambda actor, cmd, ctx: _coached(services, actor, deals.ask(actor, cmd),
                                                       ctx.get("response_url")),
        commands.Concede: lambda actor, cmd, ctx: _conceded(services, actor, deals.concede(actor, cmd),
                                                            ctx.get("response_url")),
        commands.Get: lambda actor, cmd, ctx: replies.deal_reply(deals.record_get(actor, cmd)),
        commands.Undo: lambda actor, cmd, ctx: replies.deal_reply(deals.undo(actor, cmd)),
        commands.Worth: lambda actor, cmd, ctx: replies.deal_reply(deals.worth(actor, cmd)),
        commands.Coach: lambda actor, cmd, ctx: _coached(services, actor, services.coaching.coach(actor, cmd),
                                                         ctx.get("response_url")),
        commands.Qualify: lambda actor, cmd, ctx: replies.deal_reply(deals.qualify(actor, cmd)),
        commands.Hours: lambda actor, cmd, ctx: replies.deal_reply(deals.hours(actor, cmd)),
        commands.Flag: lambda actor, cmd, ctx: replies.deal_reply(deals.flag(actor, cmd)),
        commands.Outcome: lambda actor, cmd, ctx: replies.deal_reply(deals.outcome(actor, cmd)),
        commands.NewDeal: lambda actor, cmd, ctx: replies.deal_reply(
            deals.open(actor, cmd, response_url=ctx.get("response_url"))),
        commands.ListDeals: lambda actor, cmd, ctx: replies.list_reply(workspace.list_deals(actor, cmd)),
        commands.PolicyCommand: lambda actor, cmd, ctx: policy_reply(workspace.policy(actor, cmd)),
        commands.Summary: lambda actor, cmd, ctx: _summary(services, actor, cmd, ctx.get("response_url")),
        commands.Export: lambda actor, cmd, ctx: replies.export_reply(services.exports.request(actor, cmd)),
        commands.Help: lambda actor, cmd, ctx: replies.help_reply(cmd.topic),
        commands.NewDealModal: lambda actor, cmd, ctx: _new_deal_form(actor, ctx.get("trigger_id")),
    }


def _new_deal_form(actor: Actor, trigger_id: object) -> Answer:
    """`/deal new` alone: the form, which remembers its channel so the card goes there. Slack opens a form
    only with the trigger of the request it answers; without one, the deal can still be typed on one line."""
    if not isinstance(trigger_id, str) or not trigger_id:
        return replies.error_reply("Slack sent no trigger for the form; type the deal on one line.", ONE_LINE_NEW)
    return OpenForm(new_deal_modal(NewDealForm(channel_id=actor.channel_id).dump()), trigger_id,
                    instead="type the deal on one line", usage=ONE_LINE_NEW)


def _summary(services: Services, actor: Actor, command: commands.Summary, response_url: str | None) -> Reply:
    result = services.summaries.summary(actor, command)
    if services.summaries.has_llm and response_url:
        services.notices.follow_up_summary(actor, result, response_url)
    return summary_reply(result)


class CommandRouter:
    """The one place a parsed `/deal` command finds its route."""

    def __init__(self, services: Services) -> None:
        self._routes = _deal_routes(services)

    def handle(self, actor: Actor, text: str, context: dict[str, Any] | None = None) -> Answer:
        """The answer to one `/deal` command: the result, a form to open, or an error saying what was wrong.
        `context` holds what Slack sent besides the text (`response_url`, `trigger_id`). Never raises."""
        subcommand = (text or "").strip().split(maxsplit=1)[0].lower() if (text or "").strip() else None
        return guarded(lambda: self._run(actor, text, context or {}), usage=usage_for(subcommand))

    def parse(self, text: str) -> commands.Command:
        return parse_command(text)

    def _run(self, actor: Actor, text: str, context: dict[str, Any]) -> Answer:
        command = parse_command(text)
        return self._routes[type(command)](actor, command, context)
