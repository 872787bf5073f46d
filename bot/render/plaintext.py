"""Block Kit messages and views rendered as readable terminal text, for the offline demo and console."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

Block = dict[str, Any]

DIVIDER = "―" * 40
INPUT_BLANK = "____"

# Slack's angle-bracket forms: <@U1>, <#C1|name>, <!here>, <https://x|label>, <mailto:a@b|a>.
_ANGLE = re.compile(r"<([^<>\n]+)>")
# Emphasis only around words, so snake_case names and "2 * 3" survive untouched.
_EMPHASIS = [
    re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"),
    re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"),
]
# The emoji Deal Coach writes, as a terminal shows them; any other :name: stays as typed.
_EMOJI = {
    "large_green_circle": "🟢", "large_yellow_circle": "🟡", "large_orange_circle": "🟠", "red_circle": "🔴",
    "handshake": "🤝", "rotating_light": "🚨", "white_check_mark": "✅", "no_entry": "⛔", "tada": "🎉",
    "warning": "⚠️", "trophy": "🏆", "door": "🚪", "heavy_multiplication_x": "✖️", "information_source": "ℹ️",
}
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):")
# A mention without a label: <@U1>, <#C1>. Slack shows the person's or channel's name; a terminal needs telling.
_BARE_MENTION = re.compile(r"<([@#])([A-Z0-9]+)>")
_NUMBER = "_number"  # set by blocks_to_text(first_button=…) on its own copy of a button; never sent to Slack
_TEXT_INPUTS = {
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "file_input",
}


def blocks_to_text(blocks: list[dict[str, Any]] | None, fallback: str = "", *, names: Mapping[str, str] | None = None,
                   first_button: int | None = None) -> str:
    """The blocks as lines of text; with no blocks, the message's own (mrkdwn) text. `names` (user and channel
    ids to names) shows `<@U1>` as `@rita`; `first_button` numbers the buttons from it (`[1] Approve`), in the
    order buttons() lists them."""
    if names:
        blocks, fallback = _named(blocks, names), _named(fallback, names)
    if not blocks:
        return mrkdwn_to_text(fallback)
    if first_button is not None:
        blocks = copy.deepcopy(blocks)
        for number, element in enumerate(buttons(blocks), start=first_button):
            element[_NUMBER] = number
    rendered = (_render_block(block) for block in blocks if isinstance(block, dict))
    return "\n".join(part for part in rendered if part)


def buttons(blocks: list[dict[str, Any]] | None) -> Iterator[Block]:
    """The buttons in the blocks, in the order they are shown."""
    for block in blocks or []:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "section":
            elements = [block.get("accessory")]
        elif kind == "actions":
            elements = block.get("elements") or []
        else:
            continue
        yield from (e for e in elements if isinstance(e, dict) and e.get("type") == "button")


def _named(value: Any, names: Mapping[str, str]) -> Any:
    """`value` (blocks, or text) with each bare mention labelled by its name: `<@U1>` as `<@U1|rita>`."""
    if isinstance(value, str):
        return _BARE_MENTION.sub(lambda m: f"<{m[1]}{m[2]}|{names[m[2]]}>" if m[2] in names else m[0], value)
    if isinstance(value, list):
        return [_named(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _picked_names(item, names) if key in _PICKED else _named(item, names)
                for key, item in value.items()}
    return value


# A picker's chosen people and channels, held as bare ids.
_PICKED = ("initial_user", "initial_users", "initial_channel", "initial_channels", "initial_conversation",
           "initial_conversations")


def _picked_names(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [names.get(item, item) if isinstance(item, str) else item for item in value]
    return names.get(value, value) if isinstance(value, str) else value


def view_to_text(view: dict[str, Any]) -> str:
    """A modal or Home tab: its title, its blocks, then its close and submit buttons."""
    parts = []
    title = _text(view.get("title"))
    if title:
        parts.append(_underlined(title))
    body = blocks_to_text(view.get("blocks"))
    if body:
        parts.append(body)
    buttons = [f"[{_text(view[key])}]" for key in ("close", "submit") if _text(view.get(key))]
    if buttons:
        parts.append(" ".join(buttons))
    return "\n".join(parts)


def mrkdwn_to_text(text: str) -> str:
    """Light mrkdwn clean-up: links to their labels, mentions to @id, emphasis markers dropped."""
    text = _ANGLE.sub(_angle_replacement, text or "")
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    # Slack escapes &, < and > in message text; the terminal wants the characters.
    return _emoji(html.unescape(text))


def _emoji(text: str) -> str:
    return _SHORTCODE.sub(lambda m: _EMOJI.get(m[1], m[0]), text)


def _angle_replacement(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        # <!here>, <!subteam^S1|@team>, <!date^...|fallback>: the label is what Slack would show.
        return label or "@" + target[1:].split("^")[0]
    return label or target.removeprefix("mailto:")


def _text(text_object: Any) -> str:
    """Text of a text object; only mrkdwn is cleaned, since plain_text shows its characters literally."""
    if isinstance(text_object, str):
        return mrkdwn_to_text(text_object)
    if not isinstance(text_object, dict):
        return ""
    raw = str(text_object.get("text") or "")
    if text_object.get("type") == "mrkdwn":
        return mrkdwn_to_text(raw)
    return _emoji(raw) if text_object.get("emoji") else raw


def _underlined(text: str) -> str:
    return f"{text}\n{'=' * len(text)}"


# ----- blocks ----------------------------------------------------------------------------------------------


def _render_block(block: Block) -> str:
    renderer = _BLOCK_RENDERERS.get(str(block.get("type")), _render_unknown_block)
    return renderer(block)


def _render_header(block: Block) -> str:
    return _underlined(_text(block.get("text")))


def _render_section(block: Block) -> str:
    lines = [_text(block["text"])] if block.get("text") else []
    fields = [_text(item) for item in block.get("fields") or []]
    # Slack shows fields in two columns; a terminal gets them two to a line.
    lines += [" | ".join(fields[i : i + 2]) for i in range(0, len(fields), 2)]
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        lines = _with_accessory(lines, _render_element(accessory))
    return "\n".join(line for line in lines if line)


def _with_accessory(lines: list[str], accessory: str) -> list[str]:
    if not accessory:
        return lines
    if not lines:
        return [accessory]
    return [*lines[:-1], f"{lines[-1].rstrip()}  {accessory}"]


def _render_context(block: Block) -> str:
    parts = [_render_element(element) for element in block.get("elements") or []]
    return " · ".join(part for part in parts if part)


def _render_divider(block: Block) -> str:
    return DIVIDER


def _render_actions(block: Block) -> str:
    parts = [_render_element(element) for element in block.get("elements") or []]
    return "  ".join(part for part in parts if part)


def _render_image(block: Block) -> str:
    return f"[image: {block.get('alt_text') or _text(block.get('title')) or 'image'}]"


def _render_input(block: Block) -> str:
    label = _text(block.get("label"))
    element = block.get("element") or {}
    value = _input_value(element)
    return f"{label}: {value}" if label else value


def _input_value(element: Block) -> str:
    if element.get("type") in _TEXT_INPUTS or not element.get("type"):
        initial = element.get("initial_value")
        return str(initial) if isinstance(initial, (str, int, float)) and str(initial) else INPUT_BLANK
    return _render_element(element) or INPUT_BLANK


def _render_rich_text(block: Block) -> str:
    parts = [_render_rich_part(part) for part in block.get("elements") or []]
    return "\n".join(part for part in parts if part)


def _render_markdown(block: Block) -> str:
    return mrkdwn_to_text(str(block.get("text") or ""))


def _render_file(block: Block) -> str:
    return f"[file: {block.get('external_id') or block.get('source') or 'file'}]"


def _render_video(block: Block) -> str:
    return f"[video: {_text(block.get('title')) or block.get('alt_text') or 'video'}]"


def _render_unknown_block(block: Block) -> str:
    # Best effort: newer block types still usually carry a text object worth showing.
    return _text(block.get("text"))


_BLOCK_RENDERERS: dict[str, Callable[[Block], str]] = {
    "header": _render_header,
    "section": _render_section,
    "context": _render_context,
    "divider": _render_divider,
    "actions": _render_actions,
    "image": _render_image,
    "input": _render_input,
    "rich_text": _render_rich_text,
    "markdown": _render_markdown,
    "file": _render_file,
    "video": _render_video,
}


# ----- interactive and context elements --------------------------------------------------------------------


def _render_element(element: Block) -> str:
    kind = str(element.get("type") or "")
    if kind in ("plain_text", "mrkdwn"):
        return _text(element)
    if kind == "button":
        label, number = _text(element.get("text")), element.get(_NUMBER)
        return f"[{number}] {label}" if number is not None else f"[{label}]"
    if kind == "image":
        return f"[image: {element.get('alt_text') or 'image'}]"
    if kind == "overflow":
        return "[⋯]"
    if kind in ("checkboxes", "radio_buttons"):
        return _render_choices(element)
    if kind.endswith("select") or kind.endswith("picker"):
        return f"<{_chosen_or_placeholder(element)} ▾>"
    if kind in _TEXT_INPUTS:
        return _input_value(element)
    return _text(element.get("text"))


def _render_choices(element: Block) -> str:
    chosen = {option.get("value") for option in _initial_options(element)}
    on, off = ("☑", "☐") if element.get("type") == "checkboxes" else ("●", "○")
    marks = [f"{on if o.get('value') in chosen else off} {_text(o.get('text'))}" for o in _options(element)]
    return "  ".join(marks)


def _chosen_or_placeholder(element: Block) -> str:
    chosen = [_text(option.get("text")) for option in _initial_options(element)]
    if chosen:
        return ", ".join(chosen)
    for key in ("initial_date", "initial_time"):
        if element.get(key):
            return str(element[key])
    # Picked people and channels by id, marked as Slack marks them: @ for a person, # for a channel.
    people = [element["initial_user"]] if element.get("initial_user") else element.get("initial_users") or []
    channels = [element[key] for key in ("initial_channel", "initial_conversation") if element.get(key)]
    if people or channels:
        return ", ".join([*(f"@{user}" for user in people), *(f"#{channel}" for channel in channels)])
    return _text(element.get("placeholder")) or "choose"


def _initial_options(element: Block) -> list[Block]:
    options = element.get("initial_options") or []
    if element.get("initial_option"):
        options = [element["initial_option"]]
    return [option for option in options if isinstance(option, dict)]


def _options(element: Block) -> list[Block]:
    return [option for option in element.get("options") or [] if isinstance(option, dict)]


# ----- rich text -------------------------------------------------------------------------------------------


def _render_rich_part(part: Block) -> str:
    kind = part.get("type")
    if kind == "rich_text_list":
        return _render_rich_list(part)
    inline = "".join(_render_rich_inline(item) for item in part.get("elements") or [])
    if kind == "rich_text_quote":
        return "\n".join(f"> {line}" for line in inline.split("\n"))
    return inline


def _render_rich_list(part: Block) -> str:
    indent = "  " * int(part.get("indent") or 0)
    ordered = part.get("style") == "ordered"
    lines = []
    for number, item in enumerate(part.get("elements") or [], start=1):
        marker = f"{number}." if ordered else "•"
        lines.append(f"{indent}{marker} {_render_rich_part(item)}")
    return "\n".join(lines)


def _render_rich_inline(item: Block) -> str:
    kind = item.get("type")
    if kind == "text":
        return str(item.get("text") or "")
    if kind == "link":
        return str(item.get("text") or item.get("url") or "")
    if kind == "user":
        return f"@{item.get('user_id', '')}"
    if kind == "usergroup":
        return f"@{item.get('usergroup_id', '')}"
    if kind == "channel":
        return f"#{item.get('channel_id', '')}"
    if kind == "broadcast":
        return f"@{item.get('range', '')}"
    if kind == "emoji":
        return f":{item.get('name', '')}:"
    if kind == "date":
        return str(item.get("fallback") or item.get("timestamp") or "")
    return str(item.get("text") or item.get("value") or "")
