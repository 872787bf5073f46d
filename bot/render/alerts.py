"""The managers' alert: which limit a move crossed, the ledger in short, the figures (floor included)."""

from __future__ import annotations

from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Verdict
from bot.render import words
from bot.render.blocks import Reply, escape, reply, section
from bot.render.replies import figures_text

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
    for give in ledger.gives[-GIVES_SHOWN:]:
        got = escape(give.get.text) if give.get else "nothing"
        gives.append(f"{give.concession.seq}. {escape(give.concession.text)} → got {got}")
    blocks = [section("\n".join(lines)), section("*Now:* " + figures_text(deal, ledger)),
              section("*Gives and gets*\n" + ("\n".join(gives) or "none"))]
    return reply(f"Alert on {deal.name}: {', '.join(sorted(crossed))}", blocks)
