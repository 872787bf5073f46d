"""Replies only the rep sees (ephemeral): judged deals, lists, help and errors."""

from __future__ import annotations

from bot.coach.types import Advice
from bot.commands.parse import USAGE
from bot.domain.deals import move_ending_with
from bot.domain.ledger import Give, Ledger
from bot.domain.model import Deal, Entry, EntryKind
from bot.domain.outcome import FinalState, final_state
from bot.domain.rules import Judgement
from bot.render import words
from bot.render.blocks import Block, Reply, actions, button, context, divider, escape, reply, section
from bot.render.words import money, percent
from bot.services.results import GIVES_PER_PAGE, DealLine, DealListResult, DealResult, ExportQueued, MoveKind
from bot.slack.ids import Action
from bot.slack.metadata import DealRefValue, WorthForm

LEDGER_LINES = GIVES_PER_PAGE
_CLOSING = (MoveKind.WALK, MoveKind.WON, MoveKind.LOST)


def deal_reply(result: DealResult) -> Reply:
    """An open deal judged (its verdict, reasons and figures), or a closed deal's final state (no verdict)."""
    deal, ledger = result.deal, result.ledger
    final = final_state(deal, ledger)
    blocks = [section(headline(result))]
    if (outcome := outcome_line(deal)) is not None and result.kind not in _CLOSING:  # the headline says it
        blocks.append(context(outcome))
    if result.ext_shared:
        blocks.append(context(words.EXT_SHARED))
    if final is not None:
        blocks += final_blocks(deal, ledger, final, told=bool(result.alerted))
    elif result.what_if is not None:
        blocks += judgement_blocks(result.what_if, prefix="If you give this")
        blocks.append(context(f"The deal itself stays at *{result.judgement.verdict.word}*."))
    else:
        blocks += judgement_blocks(result.judgement)
    if final is None:
        blocks.append(section(figures_text(deal, ledger)))
    if result.kind in (MoveKind.STATUS, MoveKind.OPENED) or final is not None:
        blocks += ledger_blocks(deal, ledger, result.page)
    if result.kind is MoveKind.STATUS and deal.id is not None:
        value = DealRefValue(deal_id=deal.id).dump()
        blocks.append(actions(button("Send me the price chart", Action.PRICE_CHART, value)))
    if final is None:
        blocks += worth_blocks(result)
    if final is None and result.alerted:
        blocks.append(context(f"Your managers were alerted: {', '.join(sorted(r.value for r in result.alerted))}."))
    elif result.unalerted:
        blocks.append(context(words.NO_ALERT_CHANNEL))
    if result.advice is not None:
        blocks += advice_blocks(result.advice)
    if final is not None:
        return reply(f"{deal.name}: {final.stage.value}", blocks)
    verdict = (result.what_if or result.judgement).verdict
    return reply(f"{deal.name}: {verdict.word}", blocks)


def worth_blocks(result: DealResult) -> list[Block]:
    """A give of unknown worth is said to be left out of the figures, and a fresh estimate is said to be one;
    either way the rep can say what it is worth, with a button or `/deal worth`."""
    deal, ledger = result.deal, result.ledger
    numbered = list(enumerate(ledger.concessions, start=ledger.first_number))
    unpriced = {c.seq for c in ledger.unpriced}
    unknown = [(n, c) for n, c in numbered if c.seq in unpriced]
    estimated = [(n, c) for n, c in numbered if c is result.entry and c.worth_estimated]
    if unknown and result.kind in (MoveKind.CONCESSION, MoveKind.STATUS):
        names = ", ".join(f"“{escape(c.text)}”" for _, c in unknown[:5])
        text = (f"The figures leave out what {names} is worth: not known yet. Say what it is worth and it counts "
                f"(`/deal worth {deal.name} 5k`).")
        number, give = unknown[-1]
    elif estimated and result.kind is MoveKind.CONCESSION:
        number, give = estimated[-1]
        text = (f"{escape(give.text).capitalize()} is estimated at {money(deal, give.worth)} (list ÷ a "
                f"{deal.term_months}-month term). If it is worth something else, say so "
                f"(`/deal worth {deal.name} 2k`).")
    else:
        return []
    assert deal.id is not None
    value = WorthForm(deal_id=deal.id, number=number, item=give.text[:200]).dump()
    return [context(text), actions(button("Set its worth", Action.SET_WORTH, value))]


def headline(result: DealResult) -> str:
    if result.kind is MoveKind.UNDO and result.entry is not None:
        return undo_headline(result.deal, result.entry)
    if result.kind is MoveKind.WORTH and result.entry is not None:
        return words.HEADLINES[MoveKind.WORTH].format(name=escape(result.deal.name), text=escape(result.entry.text),
                                                    worth=money(result.deal, result.entry.worth))
    return words.HEADLINES[result.kind].format(name=escape(result.deal.name))


def undo_headline(deal: Deal, last: Entry) -> str:
    """What `/deal undo` took back, `last` being the move's last entry: a concession with its get, or one entry."""
    move = move_ending_with(deal, last)
    first = move[0]
    if len(move) > 1:
        text = words.TOOK_BACK["pair"].format(given=escape(first.text), got=escape(words.definite(last.text)))
    elif first.kind is EntryKind.GET:
        answered = next((e.text for e in deal.entries if e.seq == first.reciprocates), "a concession")
        text = words.TOOK_BACK["get"].format(got=escape(first.text), given=escape(answered))
    elif first.kind is EntryKind.ASK:
        text = words.TOOK_BACK["ask"].format(ask=escape(first.text))
    else:
        text = words.TOOK_BACK["concession"].format(given=escape(first.text))
    return f"{text} {words.KEPT_AS_HISTORY[len(move)]}"


def final_blocks(deal: Deal, ledger: Ledger, final: FinalState, *, told: bool) -> list[Block]:
    """A closed deal as it ended: its price, discount, where that sits against floor and target, gives and gets.
    Private (it measures the price against the floor): replies to the rep and managers, and the alert channel."""
    blocks = [section(final_text(deal, ledger, final)),
              context(words.BY_THE_LEDGER.format(figures=" · ".join(_ledger_prices(deal, ledger))))]
    if final.won_below_floor:
        warning = words.WON_BELOW_FLOOR.format(name=escape(deal.name), price=money(deal, final.price_cents),
                                               gap=money(deal, -final.over_floor_cents))
        blocks.append(section(f"{warning} {words.MANAGERS_TOLD}" if told else warning))
    return blocks


def final_text(deal: Deal, ledger: Ledger, final: FinalState) -> str:
    price = money(deal, final.price_cents)
    parts = [words.CLOSED_AT[final.stage.value].format(
                 price=price if final.won_price else words.AN_EFFECTIVE.format(price=price)),
             f"Discount {percent(final.discount_bp)}",
             _against(deal, "floor", final.floor_cents, final.over_floor_cents)]
    if final.target_cents is not None and final.over_target_cents is not None:
        parts.append(_against(deal, "target", final.target_cents, final.over_target_cents))
    parts.append(_gives_and_gets(ledger))
    return " · ".join(parts)


def _against(deal: Deal, limit: str, amount: int, over: int) -> str:
    side = (over > 0) - (over < 0)
    return words.AGAINST[side].format(gap=money(deal, abs(over)), limit=limit, amount=money(deal, amount))


def outcome_line(deal: Deal) -> str | None:
    """How a closed deal ended, or that a walked-away customer came back; None for a plain open deal."""
    price = f" at {money(deal, deal.outcome_cents)}" if deal.outcome_cents is not None else ""
    if not deal.is_open:
        note = f" ({escape(deal.outcome_note)})" if deal.outcome_note else ""
        return words.CLOSED[deal.stage.value].format(price=price, note=note)
    if deal.came_back:
        return words.CAME_BACK.format(price=price)
    return None


def judgement_blocks(judgement: Judgement, *, prefix: str = "Verdict") -> list[Block]:
    lines = [words.verdict_line(judgement.verdict, prefix)]
    for finding in judgement.findings:
        mark = " (approved)" if finding.approved else ""
        lines.append(f"• _{finding.rule.value}_{mark}: {escape(finding.reason)}")
    return [section("\n".join(lines))]


def figures_text(deal: Deal, ledger: Ledger) -> str:
    parts = [
        *_ledger_prices(deal, ledger),
        f"Discount {percent(ledger.effective_discount_bp)}",
        f"Floor {money(deal, deal.floor_cents)}",
        f"Headroom {money(deal, ledger.headroom_cents)}",
    ]
    if deal.target_cents is not None:
        parts.append(f"Target {money(deal, deal.target_cents)}")
    parts.append(_gives_and_gets(ledger))
    return " · ".join(parts)


def worth_words(deal: Deal, concession: Entry) -> str:
    """"$3,333.33 estimated", "$6,000", or "worth unknown": an unknown worth is never shown as $0."""
    if concession.worth_cents is None:
        return "worth unknown"
    return money(deal, concession.worth) + (" estimated" if concession.worth_estimated else "")


def _ledger_prices(deal: Deal, ledger: Ledger) -> list[str]:
    return [f"List {money(deal, deal.list_cents)}", f"Net {money(deal, ledger.net_cents)}",
            f"Effective {money(deal, ledger.effective_cents)}"]


def _gives_and_gets(ledger: Ledger) -> str:
    return f"Gives {ledger.concession_count}, gets {ledger.gets_count}"


def ledger_blocks(deal: Deal, ledger: Ledger, page: int = 1) -> list[Block]:
    """The ledger's latest gives (`page` 2: the `LEDGER_LINES` before them, and so on), open asks, qualification
    and flags."""
    lines = []
    shown = numbered_gives(ledger, LEDGER_LINES, page)
    for number, give in shown:
        concession = give.concession
        worth = worth_words(deal, concession)
        got = f"got: {escape(give.get.text)}" if give.get else "got: nothing yet"
        lines.append(f"{number}. {escape(concession.text)} ({worth}) → {got}")
    if not lines:
        lines.append("No concessions yet." if page == 1 or not ledger.concession_count else
                     words.PAST_THE_LEDGER.format(page=page, pages=pages_of(ledger)))
    elif shown[0][0] > 1:
        lines.append(words.EARLIER_GIVES.format(first=shown[0][0], last=shown[-1][0], count=ledger.concession_count,
                                                name=escape(deal.name), page=page + 1))
    if ledger.open_asks and deal.is_open:  # a closed deal's negotiation is over: nothing is still asked
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


def numbered_gives(ledger: Ledger, last: int, page: int = 1) -> list[tuple[int, Give]]:
    """The latest `last` gives (`page` 2: the `last` before them), numbered in the order they were given
    (1, 2, 3…), not by their place among the ledger's asks and gets."""
    end = ledger.concession_count - last * (page - 1)  # the number of the page's latest give
    return [(number, give) for number, give in enumerate(ledger.gives, start=ledger.first_number)
            if end - last < number <= end]


def pages_of(ledger: Ledger) -> int:
    return max(-(-ledger.concession_count // LEDGER_LINES), 1)


def advice_blocks(advice: Advice) -> list[Block]:
    lines = [f"*Recommended move: {advice.move.value}*"]
    lines += [f"> {escape(line.text)}  _({escape(line.principle_title)})_" for line in advice.lines]
    return [divider(), section("\n".join(lines)), context(escape(words.answered_by(advice.coach)))]


def list_reply(result: DealListResult) -> Reply:
    if not result.lines:
        return reply("No open deals", [section("No open deals. Open one with `/deal new`.")])
    title = "Open deals in this workspace" if result.everyone else "Your open deals"
    blocks = [section(f"*{title}*")]
    for line in result.lines:
        blocks.append(section(deal_line(line, owner=result.everyone)))
    if result.truncated:
        blocks.append(context(escape("More deals are open than fit here; use `/deal status <deal>` for any of them.")))
    return reply(title, blocks)


def export_reply(result: ExportQueued) -> Reply:
    if not result.deals:
        text = f"{words.EXPORT_NOTHING[result.period]}, so there is nothing to export."
    else:
        text = words.EXPORT_QUEUED.format(deals="1 deal" if result.deals == 1 else f"{result.deals:,} deals")
    return reply(text, [section(text)])


def deal_line(line: DealLine, *, owner: bool = False) -> str:
    """One deal in a list (`/deal list`, App Home; private): an open deal's verdict and headroom, a closed deal's
    stage (it has no live verdict)."""
    deal, ledger = line.deal, line.ledger
    who = f" · <@{deal.owner_id}>" if owner else ""
    if deal.is_open:
        state = (f"{words.VERDICT_EMOJI[line.judgement.verdict]} *{escape(deal.name)}* (#{deal.id}){who} · "
                 f"*{line.judgement.verdict.word}* · headroom {money(deal, ledger.headroom_cents)}")
    else:
        state = f"{words.STAGE_EMOJI[deal.stage.value]} *{escape(deal.name)}* (#{deal.id}){who} · {deal.stage.value}"
    return f"{state} · {ledger.concession_count} concessions"


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
