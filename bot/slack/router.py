"""Routes a parsed `/deal` command to its service and renderer; turns every failure into a reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.commands import parse_command, usage_for
from bot.commands import types as c
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


def _deal_routes(s: Services) -> dict[type, Callable]:
    d, w = s.deals, s.workspace
    return {
        c.Status: lambda actor, cmd, ctx: replies.deal_reply(d.status(actor, cmd)),
        c.Ask: lambda actor, cmd, ctx: _coached(s, actor, d.ask(actor, cmd), ctx.get("response_url")),
        c.Concede: lambda actor, cmd, ctx: _conceded(s, actor, d.concede(actor, cmd), ctx.get("response_url")),
        c.Get: lambda actor, cmd, ctx: replies.deal_reply(d.record_get(actor, cmd)),
        c.Undo: lambda actor, cmd, ctx: replies.deal_reply(d.undo(actor, cmd)),
        c.Worth: lambda actor, cmd, ctx: replies.deal_reply(d.worth(actor, cmd)),
        c.Coach: lambda actor, cmd, ctx: _coached(s, actor, s.coaching.coach(actor, cmd), ctx.get("response_url")),
        c.Qualify: lambda actor, cmd, ctx: replies.deal_reply(d.qualify(actor, cmd)),
        c.Hours: lambda actor, cmd, ctx: replies.deal_reply(d.hours(actor, cmd)),
        c.Flag: lambda actor, cmd, ctx: replies.deal_reply(d.flag(actor, cmd)),
        c.Outcome: lambda actor, cmd, ctx: replies.deal_reply(d.outcome(actor, cmd)),
        c.NewDeal: lambda actor, cmd, ctx: replies.deal_reply(d.open(actor, cmd, response_url=ctx.get("response_url"))),
        c.ListDeals: lambda actor, cmd, ctx: replies.list_reply(w.list_deals(actor, cmd)),
        c.PolicyCommand: lambda actor, cmd, ctx: policy_reply(w.policy(actor, cmd)),
        c.Summary: lambda actor, cmd, ctx: _summary(s, actor, cmd, ctx.get("response_url")),
        c.Export: lambda actor, cmd, ctx: replies.export_reply(s.exports.request(actor, cmd)),
        c.Help: lambda actor, cmd, ctx: replies.help_reply(cmd.topic),
        c.NewDealModal: lambda actor, cmd, ctx: _new_deal_form(actor, ctx.get("trigger_id")),
    }


def _new_deal_form(actor: Actor, trigger_id: object) -> Answer:
    """`/deal new` alone: the form, which remembers its channel so the card goes there. Slack opens a form
    only with the trigger of the request it answers; without one, the deal can still be typed on one line."""
    if not isinstance(trigger_id, str) or not trigger_id:
        return replies.error_reply("Slack sent no trigger for the form; type the deal on one line.", ONE_LINE_NEW)
    return OpenForm(new_deal_modal(NewDealForm(channel_id=actor.channel_id).dump()), trigger_id,
                    instead="type the deal on one line", usage=ONE_LINE_NEW)


def _summary(services: Services, actor: Actor, command: c.Summary, response_url: str | None) -> Reply:
    result = services.summaries.summary(actor, command)
    if services.summaries.has_llm and response_url:
        services.notices.follow_up_summary(actor, result, response_url)
    return summary_reply(result)


class CommandRouter:
    """The one place a parsed `/deal` command finds its route."""

    def __init__(self, services: Services) -> None:
        self._routes = _deal_routes(services)

    def handle(self, actor: Actor, text: str, context: dict | None = None) -> Answer:
        """The answer to one `/deal` command: the result, a form to open, or an error saying what was wrong.
        `context` holds what Slack sent besides the text (`response_url`, `trigger_id`). Never raises."""
        subcommand = (text or "").strip().split(maxsplit=1)[0].lower() if (text or "").strip() else None
        return guarded(lambda: self._run(actor, text, context or {}), usage=usage_for(subcommand))

    def parse(self, text: str) -> c.Command:
        return parse_command(text)

    def _run(self, actor: Actor, text: str, context: dict) -> Answer:
        command = parse_command(text)
        return self._routes[type(command)](actor, command, context)
