"""The managers' alert (which limit a move crossed, the ledger in short, the figures, floor included),
its buttons, and what shows once a manager has decided."""

from __future__ import annotations

from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Verdict
from bot.domain.rules import Rule
from bot.render import words
from bot.render.blocks import Block, Reply, actions, button, context, escape, reply, section
from bot.render.replies import figures_text, numbered_gives
from bot.slack.ids import Action
from bot.slack.metadata import AlertRef

GIVES_SHOWN = 10


def alert_message(deal: Deal, ledger: Ledger, payload: dict) -> Reply:
    """`payload` is what the service kept at the crossing: rules, verdict, reasons, the move's words."""
    crossed = set(payload["rules"])
    verdict = Verdict[payload["verdict"].replace(" ", "_")]
    customer = f" · {escape(deal.customer)}" if deal.customer else ""
    if payload.get("moment") == "ask":
        move = f"The customer asks: “{escape(payload.get('text', ''))}”. If it were given:"
    else:
        move = f"<@{deal.owner_id}> conceded {escape(payload.get('text', ''))}."
    lines = [f":rotating_light: *{escape(deal.name)}* (#{deal.id}){customer} · owner <@{deal.owner_id}>", move,
             words.verdict_line(verdict)]
    for rule, _, reason in payload.get("findings", []):
        marker = " (newly firing)" if rule in crossed else ""
        lines.append(f"• _{rule}_{marker}: {escape(reason)}")
    gives = []
    for number, give in numbered_gives(ledger, GIVES_SHOWN):
        got = escape(give.get.text) if give.get else "nothing"
        gives.append(f"{number}. {escape(give.concession.text)} → got {got}")
    blocks = [section("\n".join(lines)), section("*Now:* " + figures_text(deal, ledger)),
              section("*Gives and gets*\n" + ("\n".join(gives) or "none"))]
    if payload.get("seq") is not None:
        blocks.append(decision_buttons(deal, payload))
    return reply(f"Alert on {deal.name}: {', '.join(sorted(crossed))}", blocks)


def decision_buttons(deal: Deal, payload: dict) -> Block:
    """Approving an exception only makes sense for the cap, on a concession; walking away always does."""
    assert deal.id is not None
    value = AlertRef(deal_id=deal.id, seq=int(payload["seq"])).dump()
    elements = []
    if Rule.CAP.value in payload["rules"] and payload.get("moment") == "concession":
        elements.append(button("Approve exception", Action.APPROVE_EXCEPTION, value, style="primary"))
    elements.append(button("Tell rep to walk away", Action.TELL_WALK_AWAY, value, style="danger"))
    return actions(*elements)


def decided_alert(payload: dict) -> Reply:
    """The alert as posted, its buttons replaced by who decided what."""
    decided = words.DECISION_IN_ALERT[payload["decision"]].format(by=payload["by"], owner=payload["owner"])
    kept = [block for block in payload.get("blocks", []) if block.get("type") != "actions"]
    return Reply(text=decided, blocks=[*kept, context(decided)])


def decision_notice(deal: Deal, payload: dict) -> Reply:
    """What the rep is told, privately: the decision and what to do next."""
    text = words.DECISION_TO_REP[payload["decision"]].format(by=payload["by"], name=escape(deal.name))
    return reply(text, [section(text)])
