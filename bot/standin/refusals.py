"""What real Slack refuses in a message, a response-URL payload or a view: its limits, checked the way Slack
checks them, so tests catch a payload Slack would refuse before Slack does."""

from __future__ import annotations

from typing import Any

# Limits Slack enforces; the stand-in refuses the same payloads so tests catch them before Slack does.
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
FIELD_COUNT_LIMIT = 10
HEADER_TEXT_LIMIT = 150
BLOCK_ID_LIMIT = 255
MESSAGE_TEXT_LIMIT = 40000
ELEMENT_COUNT_LIMITS = {"context": 10, "actions": 25}
MODAL_TITLE_LIMIT = 24
PRIVATE_METADATA_LIMIT = 3000


class Refusal(Exception):
    """Slack's `{"ok": false, "error": ...}` answer, raised from deep inside a method handler."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def check_message(params: dict[str, Any], *, require_content: bool) -> None:
    text = params.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_LIMIT:
        raise Refusal("msg_too_long")
    _check_blocks(params.get("blocks"), MESSAGE_BLOCK_LIMIT)
    if require_content and not (text or params.get("blocks") or params.get("attachments")):
        raise Refusal("no_text")


def check_response_payload(payload: dict[str, Any]) -> None:
    if payload.get("delete_original"):
        return
    check_message(payload, require_content=True)


def checked_view(view: Any) -> dict[str, Any]:
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise Refusal("invalid_arguments")
    _check_blocks(view.get("blocks"), VIEW_BLOCK_LIMIT)
    if view["type"] == "modal" and len(_text_of(view.get("title"))) > MODAL_TITLE_LIMIT:
        raise Refusal("invalid_arguments")
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA_LIMIT:
        raise Refusal("invalid_arguments")
    return view


def _check_blocks(blocks: Any, limit: int) -> None:
    if blocks is None or blocks == "":
        return
    if isinstance(blocks, str):
        raise Refusal("invalid_blocks_format")
    if not isinstance(blocks, list) or len(blocks) > limit:
        raise Refusal("invalid_blocks")
    for block in blocks:
        _check_block(block)


def _check_block(block: Any) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise Refusal("invalid_blocks")
    if len(str(block.get("block_id") or "")) > BLOCK_ID_LIMIT:
        raise Refusal("invalid_blocks")
    element_limit = ELEMENT_COUNT_LIMITS.get(block["type"])
    if element_limit is not None and len(block.get("elements") or ()) > element_limit:
        raise Refusal("invalid_blocks")
    if block["type"] == "section":
        _check_section(block)
    elif block["type"] == "header" and not _text_fits(block.get("text"), HEADER_TEXT_LIMIT):
        raise Refusal("invalid_blocks")


def _check_section(block: dict[str, Any]) -> None:
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        raise Refusal("invalid_blocks")
    if text is not None and not _text_fits(text, SECTION_TEXT_LIMIT):
        raise Refusal("invalid_blocks")
    if fields is None:
        return
    if not isinstance(fields, list) or len(fields) > FIELD_COUNT_LIMIT:
        raise Refusal("invalid_blocks")
    if not all(_text_fits(item, FIELD_TEXT_LIMIT) for item in fields):
        raise Refusal("invalid_blocks")


def _text_fits(text_object: Any, limit: int) -> bool:
    """A text object must be {"type": plain_text|mrkdwn, "text": 1..limit characters}."""
    if not isinstance(text_object, dict) or text_object.get("type") not in ("plain_text", "mrkdwn"):
        return False
    text = text_object.get("text")
    return isinstance(text, str) and 0 < len(text) <= limit


def _text_of(text_object: Any) -> str:
    if isinstance(text_object, dict):
        return str(text_object.get("text") or "")
    return str(text_object or "")
