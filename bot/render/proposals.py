"""What the rep sees, privately, under a thread message that names an ask, a concession or an unethical demand."""

from __future__ import annotations

from bot.domain.concession_text import spec_words
from bot.render.blocks import Reply, actions, button, context, escape, reply, section
from bot.render.replies import advice_blocks, judgement_blocks
from bot.render.words import offer_words, read_by
from bot.services.threads import Proposal
from bot.slack.ids import Action
from bot.slack.metadata import ProposalValue

MAX_TEXT_IN_VALUE = 1500  # a button's value holds 2,000 characters


def proposal_message(proposal: Proposal) -> Reply:
    offer, deal = proposal.offer, proposal.deal
    assert deal.id is not None
    words = spec_words(offer.spec)
    kind = "a concession" if offer.kind == "concession" else "an ask"
    value = ProposalValue(deal_id=deal.id, text=proposal.text[:MAX_TEXT_IN_VALUE], concession=words,
                          message=proposal.message_ts).dump()
    if offer.ethics:
        return _demand_message(proposal, value)
    blocks = [
        section(f"I read {kind} on *{escape(deal.name)}* in your message: {escape(offer_words(deal, offer.spec))}. "
                "Nothing is logged until you choose."),
        *judgement_blocks(proposal.what_if, prefix="If you give this"),
        *advice_blocks(proposal.advice),
        actions(
            button("Log as ask", Action.LOG_ASK, value, style=None if offer.kind == "concession" else "primary"),
            button("Log as concession", Action.LOG_CONCESSION, value,
                   style="primary" if offer.kind == "concession" else None),
            button("Dismiss", Action.DISMISS, value),
        ),
        context(f"Only you can see this. Offer read by {escape(read_by(proposal.reader))}."),
    ]
    return reply(f"{deal.name}: if you give this, {proposal.what_if.verdict.word}", blocks)


def _demand_message(proposal: Proposal, value: str) -> Reply:
    """An unethical demand, with or without a figure: proposed as the customer's ask only (it is never the rep's
    to give), saying why to walk away; logging it is what tells the managers."""
    deal = proposal.deal
    blocks = [
        section(f"I read an ask on *{escape(deal.name)}* in your message: an unethical demand. "
                "Nothing is logged until you choose."),
        *judgement_blocks(proposal.what_if, prefix="If you give this"),
        *advice_blocks(proposal.advice),
        actions(
            button("Log as ask", Action.LOG_ASK, value, style="primary"),
            button("Dismiss", Action.DISMISS, value),
        ),
        context(f"Only you can see this. Logging it as the customer's ask alerts your managers. "
                f"Offer read by the {escape(proposal.reader)}."),
    ]
    return reply(f"{deal.name}: if you give this, {proposal.what_if.verdict.word}", blocks)
