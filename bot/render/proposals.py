"""What the rep sees, privately, under a thread message that names an ask or a concession."""

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
