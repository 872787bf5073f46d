"""The managers' alert: which limit a concession crossed, the ledger in short, the figures (floor included)."""

from __future__ import annotations

from bot.domain.ledger import Ledger
from bot.domain.model import Deal
from bot.domain.rules import Judgement, Rule
from bot.render import words
from bot.render.blocks import Reply, context, escape, reply, section
from bot.render.replies import figures_text

GIVES_SHOWN = 10


def alert_message(deal: Deal, ledger: Ledger, judgement: Judgement, rules: list[str]) -> Reply:
    crossed = {Rule(rule) for rule in rules}
    customer = f" · {escape(deal.customer)}" if deal.customer else ""
    lines = [f":rotating_light: *{escape(deal.name)}* (#{deal.id}){customer} · owner <@{deal.owner_id}>",
             words.verdict_line(judgement.verdict)]
    for finding in judgement.findings:
        marker = " (newly firing)" if finding.rule in crossed else ""
        lines.append(f"• _{finding.rule.value}_{marker}: {escape(finding.reason)}")
    gives = []
    for give in ledger.gives[-GIVES_SHOWN:]:
        got = escape(give.get.text) if give.get else "nothing"
        gives.append(f"{give.concession.seq}. {escape(give.concession.text)} → got {got}")
    blocks = [section("\n".join(lines)), section(figures_text(deal, ledger)),
              section("*Gives and gets*\n" + ("\n".join(gives) or "none"))]
    return reply(f"Alert on {deal.name}: {', '.join(sorted(crossed))}", blocks)
