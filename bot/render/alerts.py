"""The managers' alert (which limit a move crossed, the ledger in short, the figures, floor included),
its buttons, and what shows once a manager has decided."""

from __future__ import annotations

from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Verdict
from bot.domain.outcome import FinalState, final_state
from bot.domain.rules import Rule
from bot.messages import AlertPayload, AlertUpdatePayload, DecisionNoticePayload
from bot.render import words
from bot.render.blocks import Block, Reply, actions, button, context, escape, reply, section
from bot.render.replies import figures_text, final_text, numbered_gives
from bot.slack.ids import Action
from bot.slack.metadata import AlertRef

GIVES_SHOWN = 10


def alert_message(deal: Deal, ledger: Ledger, alert: AlertPayload) -> Reply:
    """`alert` is what the service kept at the crossing: rules, verdict, reasons, the move's words. A closed
    deal's alert (a win below the floor) has no verdict: it shows the deal's final state."""
    final = final_state(deal, ledger)
    if final is not None and alert.verdict is None:
        return closed_alert(deal, ledger, final)
    crossed = set(alert.rules)
    verdict = Verdict[(alert.verdict or "").replace(" ", "_")]
    customer = _customer(deal)
    if alert.moment == "ask":
        move = f"The customer asks: “{escape(alert.text)}”. If it were given:"
    else:
        move = f"<@{deal.owner_id}> conceded {escape(alert.text)}."
    lines = [f":rotating_light: *{escape(deal.name)}* (#{deal.id}){customer} · owner <@{deal.owner_id}>", move,
             words.verdict_line(verdict)]
    for rule, _, reason in alert.findings:
        marker = " (newly firing)" if rule in crossed else ""
        lines.append(f"• _{rule}_{marker}: {escape(reason)}")
    blocks = [section("\n".join(lines)), section("*Now:* " + figures_text(deal, ledger)), _gives(ledger)]
    if alert.seq is not None:
        blocks.append(decision_buttons(deal, alert.seq, alert))
    return reply(f"Alert on {deal.name}: {', '.join(sorted(crossed))}", blocks)


def closed_alert(deal: Deal, ledger: Ledger, final: FinalState) -> Reply:
    """A deal won below its floor: what it closed at against the floor and target, and what was given for what.
    Nothing is left to decide (the deal is closed), so no buttons."""
    head = words.WON_BELOW_FLOOR_ALERT.format(name=escape(deal.name), id=deal.id, customer=_customer(deal),
                                              owner=deal.owner_id)
    blocks = [section(head), section("*Final:* " + final_text(deal, ledger, final)), _gives(ledger)]
    return reply(f"{deal.name} was won below its floor", blocks)


def _customer(deal: Deal) -> str:
    return f" · {escape(deal.customer)}" if deal.customer else ""


def _gives(ledger: Ledger) -> Block:
    gives = []
    for number, give in numbered_gives(ledger, GIVES_SHOWN):
        got = escape(give.get.text) if give.get else "nothing"
        gives.append(f"{number}. {escape(give.concession.text)} → got {got}")
    return section("*Gives and gets*\n" + ("\n".join(gives) or "none"))


def decision_buttons(deal: Deal, seq: int, alert: AlertPayload) -> Block:
    """Approving an exception only makes sense for the cap, on a concession; walking away always does."""
    assert deal.id is not None
    value = AlertRef(deal_id=deal.id, seq=seq).dump()
    elements = []
    if Rule.CAP in alert.rules and alert.moment == "concession":
        elements.append(button("Approve exception", Action.APPROVE_EXCEPTION, value, style="primary"))
    elements.append(button("Tell rep to walk away", Action.TELL_WALK_AWAY, value, style="danger"))
    return actions(*elements)


def decided_alert(update: AlertUpdatePayload) -> Reply:
    """The alert as posted, its buttons replaced by who decided what."""
    decided = words.DECISION_IN_ALERT[update.decision].format(by=update.by, owner=update.owner)
    kept = [block for block in update.blocks if block.get("type") != "actions"]
    return Reply(text=decided, blocks=[*kept, context(decided)])


def decision_notice(deal: Deal, notice: DecisionNoticePayload) -> Reply:
    """What the rep is told, privately: the decision and what to do next."""
    text = words.DECISION_TO_REP[notice.decision].format(by=notice.by, name=escape(deal.name))
    return reply(text, [section(text)])
