"""The demo's and the console's cast (@rita, @max, #deals, #deal-alerts) and how they print what each person sees."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from bot.render.plaintext import blocks_to_text
from bot.standin.webapi import Message

REP, MANAGER = "U0REP", "U0MANAGER"
DEALS, ALERTS = "C0DEALS", "C0ALERTS"
# Slack shows a mention by its name; a terminal has to be told the names.
NAMES = {REP: "rita", MANAGER: "max", DEALS: "deals", ALERTS: "deal-alerts"}
WHO = {REP: "@rita (rep)", MANAGER: "@max (manager)", DEALS: "#deals", ALERTS: "#deal-alerts (managers)"}
WIDTH = 100

# `@rita` or `#deal-alerts` standing alone (not in `bob@rita.com`); a full stop after it ends the sentence.
_TYPED_MENTION = re.compile(r"(?<![\w@#])([@#])([a-z0-9](?:[\w.-]*[\w-])?)", re.IGNORECASE)


def as_slack_sends(typed: str) -> str:
    """A typed line as Slack sends it with escaping on: `&`, `<` and `>` escaped, and `@rita` or `#deals` as
    a mention (`<@U0REP|rita>`), since a person picks names and Slack sends ids."""
    text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    ids = {(("@" if id_[0] in "UW" else "#"), name.lower()): id_ for id_, name in NAMES.items()}

    def mention(match: re.Match[str]) -> str:
        found = ids.get((match[1], match[2].lower()))
        return f"<{match[1]}{found}|{NAMES[found]}>" if found else match[0]

    return _TYPED_MENTION.sub(mention, text)


def acknowledged(user: str, ack: dict[str, Any], *, channel: str = DEALS) -> Message:
    """A command's immediate reply as the private message it is: only `user` sees it, in `channel`."""
    return Message(channel, "", str(ack.get("text") or ""), ack.get("blocks") or [], ephemeral_to=user)


def where(message: Message) -> str:
    """Who or where sees `message`, as a box's title."""
    place = _place(message.channel)
    if message.ephemeral_to:
        seen = f"Only {WHO.get(message.ephemeral_to, message.ephemeral_to)} sees, in {place}"
        return seen + (", in place of the message pressed" if message.updated else "")
    if message.thread_ts:
        return f"{place}, in the deal's thread"
    if message.updated:
        return f"{place} ({'card' if message.channel == DEALS else 'message'} updated)"
    return place


def show(message: Message, title: str | None = None, *, first_button: int | None = None) -> str:
    """The message in a box, mentions by name; its buttons numbered from `first_button` if given."""
    if not message.text and not message.blocks:
        return box(title or where(message), "(removed)")
    body = blocks_to_text(message.blocks, message.text, names=NAMES, first_button=first_button)
    return box(title or where(message), body)


def box(title: str, body: str, width: int = WIDTH) -> str:
    lines = []
    for raw in body.splitlines() or [""]:
        lines += textwrap.wrap(raw, width - 4, subsequent_indent="  ") or [""]
    return "\n".join([f"  ┌ {title}", *(f"  │ {line}" for line in lines), "  └"])


def _place(channel: str) -> str:
    # The stand-in opens a direct message with U0REP as D0REP.
    if channel.startswith("D") and f"U{channel[1:]}" in WHO:
        return f"a direct message to {WHO[f'U{channel[1:]}']}"
    return WHO.get(channel, channel)
