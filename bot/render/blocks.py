"""The one way this project builds Block Kit: slack_sdk's models, clipped to Slack's limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FIELD_CHARS = 2000
MAX_HEADER_CHARS = 150
MAX_FALLBACK_CHARS = 3000


@dataclass(frozen=True)
class Reply:
    """A message: fallback text (notifications, screen readers) and its blocks as dicts."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def escape(text: str) -> str:
    """User text shown in mrkdwn: Slack's three control characters escaped, mentions defused."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> Block:
    return HeaderBlock(text=PlainTextObject(text=clip(text, MAX_HEADER_CHARS), emoji=True))


def section(text: str, *, fields: list[str] | None = None, block_id: str | None = None) -> Block:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, MAX_SECTION_CHARS)),
        fields=[MarkdownTextObject(text=clip(f, MAX_FIELD_CHARS)) for f in (fields or [])[:10]] or None,
        block_id=block_id,
    )


def context(*parts: str) -> Block:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(p, MAX_FIELD_CHARS)) for p in parts[:10] if p])


def divider() -> Block:
    return DividerBlock()


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=clip(text, 75)), action_id=action_id, value=value[:2000],
                         style=style)


def actions(*elements: ButtonElement, block_id: str | None = None) -> Block:
    return ActionsBlock(elements=list(elements)[:25], block_id=block_id)


def reply(text: str, blocks: list[Block]) -> Reply:
    """Blocks past Slack's 50 are dropped, with a last line saying so."""
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], context(f"… {len(blocks) - MAX_BLOCKS + 1} more not shown.")]
    return Reply(text=clip(text, MAX_FALLBACK_CHARS), blocks=[block.to_dict() for block in blocks])
