"""What the rep sees when their words read two ways on this deal: what was read, and one click to log it
as meant (or not at all). Nothing is recorded until they click."""

from __future__ import annotations

from bot.domain.concession_text import spec_words
from bot.domain.deals import ConcessionSpec
from bot.render.blocks import Reply, actions, button, context, escape, reply, section
from bot.render.words import offer_words
from bot.services.results import ToConfirm
from bot.slack.ids import Action
from bot.slack.metadata import ProposalValue

MAX_WORDS_IN_VALUE = 1500  # a button's value holds 2,000 characters


def confirm_reply(result: ToConfirm) -> Reply:
    deal, reading = result.deal, result.reading
    assert deal.id is not None
    choices = [reading.spec, *([reading.other] if reading.other is not None else [])]
    buttons = [
        button(f"Log {escape(offer_words(deal, spec))}", Action.LOG_CONCESSION, _value(result, spec),
               style="primary" if at == 0 else None)
        for at, spec in enumerate(choices)
    ]
    buttons.append(button("Not a concession", Action.DISMISS, _value(result, reading.spec)))
    got = f", for {escape(reading.get)}" if reading.get else ""
    read_as = escape(offer_words(deal, reading.spec))
    blocks = [
        section(f"I read `{escape(result.words)}` on *{escape(deal.name)}* as {read_as}{got}. "
                "Is that what you gave? Nothing is logged until you choose."),
        actions(*buttons),
        context("Only you can see this. To log it another way, type it again, e.g. `price 92k` or `cut 8k`."),
    ]
    return reply(f"{deal.name}: did you give {escape(offer_words(deal, reading.spec))}?", blocks)


def _value(result: ToConfirm, spec: ConcessionSpec) -> str:
    words = spec_words(spec) + (f" for {result.reading.get}" if result.reading.get else "")
    assert result.deal.id is not None
    return ProposalValue(deal_id=result.deal.id, text=result.words[:MAX_WORDS_IN_VALUE],
                         concession=words[:MAX_WORDS_IN_VALUE], message=f"confirm-{result.token}").dump()
