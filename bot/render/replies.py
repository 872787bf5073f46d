"""Replies only the rep sees (ephemeral): judged deals, lists, help and errors."""

from __future__ import annotations

from bot.coach.types import Advice
from bot.commands.parse import USAGE
from bot.domain.ledger import Give, Ledger
from bot.domain.model import Deal, Entry, EntryKind
from bot.domain.rules import Judgement
from bot.render import words
from bot.render.blocks import Reply, actions, button, context, divider, escape, reply, section
from bot.render.words import money, percent
from bot.services.results import DealListResult, DealResult, Moment
from bot.slack.ids import Action
from bot.slack.metadata import DealRefValue

LEDGER_LINES = 25


def deal_reply(result: DealResult) -> Reply:
    deal, ledger = result.deal, result.ledger
    headline = words.HEADLINES[result.moment].format(name=escape(deal.name))
    blocks = [section(headline)]
    if (outcome := outcome_line(deal)) is not None:
        blocks.append(context(outcome))
    if result.ext_shared:
        blocks.append(context(words.EXT_SHARED))
    if result.what_if is not None:
        blocks += judgement_blocks(result.what_if, prefix="If you give this")
        blocks.append(context(f"The deal itself stays at *{result.judgement.verdict.word}*."))
    else:
        blocks += judgement_blocks(result.judgement)
    blocks.append(section(figures_text(deal, ledger)))
    if result.moment in (Moment.STATUS, Moment.OPENED):
        blocks += ledger_blocks(deal, ledger)
    if result.moment is Moment.STATUS and deal.id is not None:
        value = DealRefValue(deal_id=deal.id).dump()
        blocks.append(actions(button("Send me the price chart", Action.PRICE_CHART, value)))
    if ledger.unpriced and result.moment in (Moment.CONCESSION, Moment.STATUS):
        names = ", ".join(f"“{escape(c.text)}”" for c in ledger.unpriced[:5])
        blocks.append(context(f"The figures leave out what {names} is worth: not known yet. Log such a give "
                              "with its worth (`free onboarding worth 5k`) so it counts."))
    estimated = [g.concession for g in ledger.gives if g.concession.worth_estimated]
    if estimated and result.moment is Moment.CONCESSION and result.entry in estimated:
        blocks.append(context(f"{escape(result.entry.text).capitalize()} is estimated at "
                              f"{money(deal, result.entry.worth)} (list ÷ a {deal.term_months}-month term). "
                              "If it is worth something else, undo it and log it with its worth "
                              "(`a month free worth 2k`)."))
    if result.alerted:
        blocks.append(context(f"Your managers were alerted: {', '.join(sorted(r.value for r in result.alerted))}."))
    elif result.unalerted:
        blocks.append(context(words.NO_ALERT_CHANNEL))
    if result.advice is not None:
        blocks += advice_blocks(result.advice)
    verdict = (result.what_if or result.judgement).verdict
    return reply(f"{deal.name}: {verdict.word}", blocks)


def outcome_line(deal: Deal) -> str | None:
    """How a closed deal ended, or that a walked-away customer came back; None for a plain open deal."""
    price = f" at {money(deal, deal.outcome_cents)}" if deal.outcome_cents is not None else ""
    if not deal.is_open:
        note = f" ({escape(deal.outcome_note)})" if deal.outcome_note else ""
        return words.CLOSED[deal.stage.value].format(price=price, note=note)
    if deal.came_back:
        return words.CAME_BACK.format(price=price)
    return None


def judgement_blocks(judgement: Judgement, *, prefix: str = "Verdict") -> list:
    lines = [words.verdict_line(judgement.verdict, prefix)]
    for finding in judgement.findings:
        mark = " (approved)" if finding.approved else ""
        lines.append(f"• _{finding.rule.value}_{mark}: {escape(finding.reason)}")
    return [section("\n".join(lines))]


def figures_text(deal: Deal, ledger: Ledger) -> str:
    parts = [
        f"List {money(deal, deal.list_cents)}",
        f"Net {money(deal, ledger.net_cents)}",
        f"Effective {money(deal, ledger.effective_cents)}",
        f"Discount {percent(ledger.effective_discount_bp)}",
        f"Floor {money(deal, deal.floor_cents)}",
        f"Headroom {money(deal, ledger.headroom_cents)}",
    ]
    if deal.target_cents is not None:
        parts.append(f"Target {money(deal, deal.target_cents)}")
    gives = len(ledger.gives)
    parts.append(f"Gives {gives}, gets {ledger.gets_count}")
    return " · ".join(parts)


def worth_words(deal: Deal, concession: Entry) -> str:
    """"$3,333.33 estimated", "$6,000", or "worth unknown": an unknown worth is never shown as $0."""
    if concession.worth_cents is None:
        return "worth unknown"
    return money(deal, concession.worth) + (" estimated" if concession.worth_estimated else "")


def ledger_blocks(deal: Deal, ledger: Ledger) -> list:
    lines = []
    for number, give in numbered_gives(ledger, LEDGER_LINES):
        concession = give.concession
        worth = worth_words(deal, concession)
        got = f"got: {escape(give.get.text)}" if give.get else "got: nothing yet"
        lines.append(f"{number}. {escape(concession.text)} ({worth}) → {got}")
    if not lines:
        lines.append("No concessions yet.")
    if ledger.open_asks:
        lines.append("*Open asks:* " + "; ".join(f"“{escape(a.text)}”" for a in ledger.open_asks[-5:]))
    taken_back = [e for e in deal.entries if e.taken_back and e.kind is not EntryKind.GET]
    if taken_back:
        lines.append("*Taken back:* " + "; ".join(escape(e.text) for e in taken_back[-5:]))
    q = deal.qualification
    lines.append(
        f"*Qualification:* needs {words.yes_no(q.needs)}, decider {words.yes_no(q.decider)}, "
        f"timeline {words.yes_no(q.timeline)}, budget {words.yes_no(q.budget)} · *Hours:* {deal.hours.normalize():f}"
    )
    flags = [f"ethics: {escape(deal.ethics_flag)}" if deal.ethics_flag else "",
             f"fit: {escape(deal.fit_flag)}" if deal.fit_flag else ""]
    if any(flags):
        lines.append("*Flags:* " + "; ".join(f for f in flags if f))
    return [section("*Ledger*\n" + "\n".join(lines))]


def numbered_gives(ledger: Ledger, last: int) -> list[tuple[int, Give]]:
    """The latest `last` gives, numbered in the order they were given (1, 2, 3…), not by their place among
    the ledger's asks and gets."""
    return list(enumerate(ledger.gives, start=1))[-last:]


def advice_blocks(advice: Advice) -> list:
    lines = [f"*Recommended move: {advice.move.value}*"]
    lines += [f"> {escape(line.text)}  _({escape(line.principle_title)})_" for line in advice.lines]
    return [divider(), section("\n".join(lines)), context(f"Answered by the {advice.coach}.")]


def list_reply(result: DealListResult) -> Reply:
    if not result.lines:
        return reply("No open deals", [section("No open deals. Open one with `/deal new`.")])
    title = "Open deals in this workspace" if result.everyone else "Your open deals"
    blocks = [section(f"*{title}*")]
    for line in result.lines:
        deal, ledger = line.deal, line.ledger
        owner = f" · <@{deal.owner_id}>" if result.everyone else ""
        blocks.append(section(
            f"{words.VERDICT_EMOJI[line.judgement.verdict]} *{escape(deal.name)}* (#{deal.id}){owner} · "
            f"*{line.judgement.verdict.word}* · headroom {money(deal, ledger.headroom_cents)} · "
            f"{len(ledger.gives)} concessions"
        ))
    if result.truncated:
        blocks.append(context("More deals are open than fit here; use `/deal status <deal>` for any of them."))
    return reply(title, blocks)


def help_reply(topic: str | None = None) -> Reply:
    if topic and topic in USAGE:
        return reply(USAGE[topic], [section(f"`{escape(USAGE[topic])}`")])
    usage = "\n".join(f"`{escape(line)}`" for key, line in USAGE.items() if key != "help")
    return reply("Deal Coach help", [section(words.HELP_INTRO), section(usage),
                                     context("Amounts: 120000, 120,000, $120k, 1.2m, €95k. Percent: 12%, 12.5%.")])


def error_reply(message: str, usage: str | None = None) -> Reply:
    # Our own sentence; the user's words in it are still escaped as Slack sent them.
    blocks = [section(f":warning: {message}")]
    if usage:
        blocks.append(context(f"Usage: `{escape(usage)}`"))
    return reply(message, blocks)
