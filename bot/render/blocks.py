"""The one way this project builds Block Kit: plain dicts in Slack's shapes, clipped to Slack's limits.

These run on every acknowledgement. slack_sdk's Block Kit models validate each block by reflection on
every `to_dict()`, which cost a third of a `/deal status` (see the README's performance section), so the
hot path builds the dicts itself and `tests/unit/test_blocks.py` parses every renderer's output with
those models and validates it: the library stays the judge of what Slack accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]

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
    return {"type": "header", "text": _plain(clip(text, MAX_HEADER_CHARS))}


def section(text: str, *, fields: list[str] | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": _mrkdwn(clip(text, MAX_SECTION_CHARS))}
    if fields:
        block["fields"] = [_mrkdwn(clip(f, MAX_FIELD_CHARS)) for f in fields[:10]]
    if block_id:
        block["block_id"] = block_id
    return block


def context(*parts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(clip(p, MAX_FIELD_CHARS)) for p in parts[:10] if p]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": _plain(clip(text, 75)), "action_id": action_id,
                      "value": value[:2000]}
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def reply(text: str, blocks: list[Block]) -> Reply:
    """Blocks past Slack's 50 are dropped, with a last line saying so."""
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], context(f"… {len(blocks) - MAX_BLOCKS + 1} more not shown.")]
    return Reply(text=clip(text, MAX_FALLBACK_CHARS), blocks=blocks)


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}
