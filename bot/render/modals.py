"""Modals: the `/deal new` form and the worth of a give."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from bot.slack.ids import Action, Block
from bot.slack.ids import View as ViewId


def _input(block: Block, action: Action, label: str, hint: str, *, optional: bool = False,
           max_length: int = 40) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=PlainTextObject(text=label),
        element=PlainTextInputElement(action_id=action, placeholder=PlainTextObject(text=hint),
                                      max_length=max_length),
        optional=optional,
    )


def _modal(callback: ViewId, title: str, submit: str, private_metadata: str,
           blocks: list[InputBlock]) -> dict[str, Any]:
    view = View(type="modal", callback_id=callback, title=PlainTextObject(text=title),
                submit=PlainTextObject(text=submit), close=PlainTextObject(text="Cancel"),
                private_metadata=private_metadata, blocks=blocks)
    return view.to_dict()


def worth_modal(private_metadata: str, item: str) -> dict[str, Any]:
    """What the rep says a give of unknown or estimated worth is worth."""
    label = f"Worth of {item}"[:150] if item else "Worth"
    return _modal(ViewId.GIVE_WORTH, "What is it worth?", "Save", private_metadata,
                  [_input(Block.WORTH, Action.WORTH, label, "e.g. $5,000 or 5k")])


def new_deal_modal(private_metadata: str) -> dict[str, Any]:
    return _modal(ViewId.NEW_DEAL, "New deal", "Open deal", private_metadata, [
        _input(Block.NAME, Action.NAME, "Deal name", "one word, e.g. acme-renewal"),
        _input(Block.LIST, Action.LIST, "List price", "e.g. $120,000 or 120k"),
        _input(Block.FLOOR, Action.FLOOR, "Walk-away floor (private)", "the lowest effective price you accept"),
        _input(Block.TARGET, Action.TARGET, "Target", "the price you aim for", optional=True),
        _input(Block.CAP, Action.CAP, "Discount cap for this deal", "e.g. 15%", optional=True),
        _input(Block.TERM, Action.TERM, "Term", "months the list price buys, e.g. 36 (12 if empty)", optional=True),
        _input(Block.CUSTOMER, Action.CUSTOMER, "Customer", "e.g. Acme Corp", optional=True, max_length=120),
    ])
