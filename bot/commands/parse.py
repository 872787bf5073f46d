"""Parses the text after `/deal` into one typed command, or raises CommandError naming what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from bot.commands import types as commands
from bot.commands.policy import parse_policy_changes, parse_user
from bot.domain.concession_text import MAX_TEXT_CHARS, free_text, split_worth
from bot.domain.errors import InputError
from bot.domain.money import parse_amount, parse_percent
from bot.domain.reader import has_substance

MAX_COMMAND_CHARS = 3000
MAX_CUSTOMER_CHARS = 120
MAX_DEAL_ID = 2**31 - 1  # deal ids are the database's INTEGER
MAX_PAGE = 10_000  # a status page past every ledger's end, not a number to compute with
_T = TypeVar("_T")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_REF_ID = re.compile(r"^#(\d{1,12})$")
_YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}

USAGE: dict[str, str] = {
    "new": "/deal new <name> list=<amount> floor=<amount> [target=<amount>] [cap=<pct>] [term=<months>]"
    " [customer=<text>]",
    "list": "/deal list [all]",
    "status": "/deal status <deal> [page <n>]",
    "ask": "/deal ask <deal> <what the customer asks for>",
    "concede": "/deal concede <deal> <what you gave, e.g. 5%, 10k off, down to 90k, 3 months free, net 60>"
    " [for <what you got>]",
    "get": "/deal get <deal> <what you received> [worth <amount>]",
    "undo": "/deal undo <deal>",
    "worth": "/deal worth <deal> [give number] <amount>",
    "coach": "/deal coach <deal> [question]",
    "qualify": "/deal qualify <deal> [needs=yes/no] [decider=yes/no] [timeline=yes/no] [budget=yes/no]",
    "hours": "/deal hours <deal> <n>",
    "flag": "/deal flag <deal> ethics <text> | fit <text> | clear [ethics|fit]",
    "walk": "/deal walk <deal> [reason]",
    "won": "/deal won <deal> [price]",
    "lost": "/deal lost <deal> [reason]",
    "back": "/deal back <deal> [price]",
    "summary": "/deal summary [@user] [week|month|quarter]",
    "export": "/deal export [week|month|quarter|all]",
    "policy": "/deal policy [key=value …]",
    "help": "/deal help",
}


class CommandError(InputError):
    """Bad input: the message says what was wrong; `usage` is the line to show with it."""

    def __init__(self, message: str, usage: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.usage = usage


def usage_for(subcommand: str | None) -> str:
    return USAGE.get(subcommand or "", "/deal help")


def parse_command(text: str) -> commands.Command:
    """The whole `/deal` text (as Slack sends it, escaped) -> a command."""
    stripped = (text or "").strip()
    if len(stripped) > MAX_COMMAND_CHARS:
        raise CommandError(f"That command is {len(stripped):,} characters; keep it under {MAX_COMMAND_CHARS:,}.",
                           "/deal help")
    words = stripped.split(maxsplit=1)
    if not words:
        return commands.Help()
    sub, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    parser = _PARSERS.get(sub)
    if parser is None:
        raise CommandError(f"`{_clip(words[0])}` is not a /deal command.", "/deal help")
    try:
        return parser(rest.strip())
    except CommandError:
        raise
    except InputError as exc:
        raise CommandError(exc.message, USAGE[sub], field=exc.field) from exc


def _help(rest: str) -> commands.Command:
    return commands.Help(rest.split()[0].lower() if rest else None)


def _new(rest: str) -> commands.Command:
    if not rest:
        return commands.NewDealModal()
    name, tail = _split_first(rest)
    _check_name(name)
    pairs = dict(_key_values(tail, free_text_keys={"customer"}))
    unknown = set(pairs) - {"list", "floor", "target", "cap", "term", "customer"}
    if unknown:
        raise InputError(f"`{sorted(unknown)[0]}=` is not an option of /deal new.")
    return new_deal_from_fields(name=name, **pairs)


def new_deal_from_fields(*, name: str, list: str = "", floor: str = "", target: str = "", cap: str = "",
                         term: str = "", customer: str = "") -> commands.NewDeal:
    """The one place a new deal's inputs are checked, for the command line and the modal alike;
    each error names its field."""
    _check_name(name.strip())
    for key, value in (("list", list), ("floor", floor)):
        if not value.strip():
            why = " (know your walk-away point before you negotiate)" if key == "floor" else ""
            raise InputError(f"`{key}=` is required{why}.", field=key)
    return commands.NewDeal(
        name=name.strip(),
        list_price=_field("list", lambda: parse_amount(list, what="list")),
        floor=_field("floor", lambda: parse_amount(floor, what="floor")),
        target=_field("target", lambda: parse_amount(target, what="target")) if target.strip() else None,
        cap_bp=_field("cap", lambda: parse_percent(_as_percent(cap.strip()), what="cap")) if cap.strip() else None,
        customer=_field("customer", lambda: free_text(customer, "customer", MAX_CUSTOMER_CHARS, required=False)),
        term_months=_field("term", lambda: _term_months(term)) if term.strip() else None,
    )


def _term_months(text: str) -> int:
    """`24`, `24 months`, `2 years`, `2y`: what the list price buys, in months."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*(m|mo|mos|months?|y|yr|yrs|years?)?\s*", text, re.IGNORECASE)
    if not match:
        raise InputError(f"`{_clip(text)}` is not a term: say months (`term=24`) or years (`term=2y`).")
    months = int(match.group(1)) * (12 if (match.group(2) or "").lower().startswith("y") else 1)
    if not 1 <= months <= 120:
        raise InputError("A term is 1 to 120 months.")
    return months


def _field(field: str, parse: Callable[[], _T]) -> _T:
    try:
        return parse()
    except InputError as exc:
        raise InputError(exc.message, field=field) from None


def _list(rest: str) -> commands.Command:
    if rest.lower() not in ("", "all"):
        raise InputError(f"`{_clip(rest)}`: /deal list takes only `all`.")
    return commands.ListDeals(all=rest.lower() == "all")


def _status(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    if not tail:
        return commands.Status(ref)
    word, number = _split_first(tail)
    if word.lower() != "page" or not number.isdigit() or not 1 <= int(number) <= MAX_PAGE:
        raise InputError(f"`{_clip(tail)}`: /deal status takes only `page` and a page number, e.g. `page 2`.")
    return commands.Status(ref, page=int(number))


def _undo(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    _nothing_more(tail)
    return commands.Undo(ref)


def _ask(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    return commands.Ask(ref, free_text(tail, "the ask", MAX_TEXT_CHARS))


def _coach(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    return commands.Coach(ref, free_text(tail, "the question", MAX_TEXT_CHARS, required=False))


def _concede(rest: str) -> commands.Command:
    """The words are read against the deal's prices by the service: a bare `92,500` is a price on a $100k
    deal and a cut on a $1m one."""
    ref, tail = _deal_ref(rest)
    return commands.Concede(ref, free_text(tail, "what you conceded", MAX_TEXT_CHARS))


def _get(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    body, worth = split_worth(tail)
    text = free_text(body, "what you received", MAX_TEXT_CHARS)
    if not has_substance(text):
        raise InputError(f"`{_clip(text)}` is not something received; log a get when you get something back.")
    return commands.Get(ref, text, worth)


def _worth(rest: str) -> commands.Command:
    """`/deal worth acme 5k` (the latest give of unknown or estimated worth) or `/deal worth acme 2 5k`."""
    ref, tail = _deal_ref(rest)
    words = tail.split()
    if len(words) == 2 and re.fullmatch(r"#?\d{1,3}", words[0]):
        return commands.Worth(ref, parse_amount(words[1], what="the worth"), int(words[0].lstrip("#")))
    if not tail:
        raise InputError("Say what it is worth, e.g. `5k`.")
    return commands.Worth(ref, parse_amount(tail, what="the worth"))


def _qualify(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    facts: dict[str, bool] = {}
    for key, value in _key_values(tail, free_text_keys=set()):
        if key not in ("needs", "decider", "timeline", "budget"):
            raise InputError(f"`{key}` is not a qualification fact (needs, decider, timeline, budget).")
        if value.lower() not in _YES:
            raise InputError(f"`{key}` takes yes or no, not `{_clip(value)}`.")
        facts[key] = _YES[value.lower()]
    return commands.Qualify(ref, facts)


def _hours(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    value = tail.lower().removesuffix("h").removesuffix("hours").strip() if tail else ""
    try:
        hours = Decimal(value)
    except InvalidOperation:
        raise InputError(f"`{_clip(tail) or 'nothing'}` is not a number of hours.") from None
    if not hours.is_finite() or hours <= 0 or hours > 1000 or hours != round(hours, 2):
        raise InputError("Hours must be more than 0 and at most 1000, with at most two decimals.")
    return commands.Hours(ref, hours)


def _flag(rest: str) -> commands.Command:
    ref, tail = _deal_ref(rest)
    kind, text = _split_first(tail)
    kind = kind.lower()
    if kind in ("ethics", "fit"):
        return commands.Flag(ref, kind, free_text(text, f"the {kind} problem", MAX_TEXT_CHARS))
    if kind == "clear":
        which = text.lower().strip()
        if which not in ("", "ethics", "fit"):
            raise InputError("`clear` takes `ethics`, `fit` or nothing (both).")
        return commands.Flag(ref, "clear", which)
    raise InputError("Flag `ethics` or `fit`, with a few words on why.")


def _outcome(kind: str) -> Callable[[str], commands.Command]:
    def parse(rest: str) -> commands.Command:
        ref, tail = _deal_ref(rest)
        if kind in ("won", "back"):
            price = parse_amount(tail, what="the price") if tail else None
            return commands.Outcome(ref, kind, price=price)
        return commands.Outcome(ref, kind, note=free_text(tail, "the reason", MAX_TEXT_CHARS, required=False))

    return parse


def _summary(rest: str) -> commands.Command:
    user, period = None, "week"
    for word in rest.split():
        if word.lower() in ("week", "month", "quarter"):
            period = word.lower()
        elif (mention := parse_user(word)) is not None:
            user = mention
        else:
            raise InputError(f"`{_clip(word)}` is neither a person (@name) nor week, month or quarter.")
    return commands.Summary(user, period)


def _export(rest: str) -> commands.Command:
    words = rest.lower().split()
    if len(words) > 1 or (words and words[0] not in ("week", "month", "quarter", "all")):
        raise InputError(f"`{_clip(rest)}`: /deal export takes week, month, quarter or all.")
    return commands.Export(words[0] if words else "all")


def _policy(rest: str) -> commands.Command:
    pairs = _key_values(rest, free_text_keys={"managers"})  # Slack's autocomplete separates mentions by spaces
    return commands.PolicyCommand(parse_policy_changes(pairs))


_PARSERS = {
    "help": _help,
    "new": _new,
    "list": _list,
    "status": _status,
    "ask": _ask,
    "concede": _concede,
    "get": _get,
    "undo": _undo,
    "worth": _worth,
    "coach": _coach,
    "qualify": _qualify,
    "hours": _hours,
    "flag": _flag,
    "walk": _outcome("walk"),
    "won": _outcome("won"),
    "lost": _outcome("lost"),
    "back": _outcome("back"),
    "summary": _summary,
    "export": _export,
    "policy": _policy,
}


def _deal_ref(rest: str) -> tuple[commands.DealRef, str]:
    word, tail = _split_first(rest)
    if not word:
        raise InputError("Name the deal (its name, or #id).")
    if match := _REF_ID.match(word):
        deal_id = int(match.group(1))
        if deal_id > MAX_DEAL_ID:  # past the database's integer: no such deal, not a database error
            raise InputError(f"No deal #{deal_id} in this workspace. `/deal list` shows your open deals.")
        return commands.DealRef(id=deal_id), tail
    _check_name(word)
    return commands.DealRef(name=word.lower()), tail


def _nothing_more(tail: str) -> None:
    if tail:
        raise InputError(f"Unexpected `{_clip(tail)}` after the deal.")


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise InputError(
            f"`{_clip(name)}` is not a deal name: one word of letters, digits, -, _ or ., up to 40 characters.",
            field="name",
        )


def _split_first(text: str) -> tuple[str, str]:
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], (parts[1].strip() if len(parts) > 1 else "")


def _key_values(text: str, *, free_text_keys: set[str]) -> list[tuple[str, str]]:
    """`a=1 b="two words" customer=Acme Corp` -> pairs; unquoted words after a free-text key join it."""
    pairs: list[tuple[str, str]] = []
    for token in re.findall(r'\S+?=(?:"[^"]*"|“[^”]*”|\S*)|\S+', text):
        key, sep, value = token.partition("=")
        if sep and re.fullmatch(r"[A-Za-z_-]+", key):
            pairs.append((key.lower(), value.strip('"“”')))
        elif pairs and pairs[-1][0] in free_text_keys:
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]} {token}")
        else:
            raise InputError(f"`{_clip(token)}` is not a `key=value` option.")
    for key, value in pairs:
        if not value:
            raise InputError(f"`{key}=` needs a value.")
    return pairs


def _as_percent(value: str) -> str:
    return value if value.endswith("%") else value + "%"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
