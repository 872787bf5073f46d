"""Messages everyone in the deal's channel sees: the card and thread notes. They never show the floor."""

from __future__ import annotations

from bot.domain.model import Deal, Verdict
from bot.messages import NoteLine, NotePayload
from bot.render import words
from bot.render.blocks import Reply, context, escape, reply, section
from bot.services.results import MoveKind


def deal_card(deal: Deal, verdict: Verdict, concessions: int) -> Reply:
    """Name, owner, customer, stage, verdict word and number of concessions: no prices below list. A closed deal
    has no live verdict: its card says how it ended instead (never at what price)."""
    customer = f" · {escape(deal.customer)}" if deal.customer else ""
    stage = words.STAGES[deal.stage.value] + (" (came back)" if deal.came_back and deal.is_open else "")
    state = words.verdict_line(verdict) if deal.is_open else words.CARD_CLOSED[deal.stage.value]
    text = (
        f":handshake: *{escape(deal.name)}*{customer}\n"
        f"Owner <@{deal.owner_id}> · Stage {stage} · {concessions} concession{'s' if concessions != 1 else ''}\n"
        f"{state}"
    )
    return reply(
        f"Deal {deal.name}: {verdict.word if deal.is_open else deal.stage.value}",
        [section(text), context(f"#{deal.id} · This thread is the deal room. `/deal status {deal.name}` for figures.")],
    )


def nudge_message(deals: tuple[tuple[str, int], ...]) -> Reply:
    """A rep's idle deals, by name and days since the last change (a DM: nothing private leaks)."""
    lines = [words.NUDGE, *(f"• *{escape(name)}*: {days} days" for name, days in deals)]
    return reply("\n".join(lines), [section("\n".join(lines))])


def thread_note(payload: NotePayload) -> Reply:
    """The recorded moves queued for the deal's thread, one line each, in one message."""
    text = "\n".join(_note_line(note) for note in payload.notes)
    return reply(text, [section(text)])


def _note_line(note: NoteLine) -> str:
    moment = MoveKind(note.moment)
    if moment is MoveKind.DECISION:
        return words.DECISION_NOTES[note.decision or ""].format(by=note.by, owner=note.owner)
    if moment is MoveKind.UNDO:
        return _undo_line(note)
    return words.PUBLIC_NOTES[moment].format(
        by=note.by,
        text=escape(note.text or ""),
        get=f" for {escape(note.get)}" if note.get else " (nothing in return yet)",
        reason=f" Reason: {escape(note.reason)}" if note.reason else "",
    )


def _undo_line(note: NoteLine) -> str:
    """A move taken back: a concession with its get, a get (for the concession it answered), or a concession."""
    if note.get:
        form = "pair"
    elif note.kind == "get" and note.answered:
        form = "get"
    else:
        form = "concession"
    return words.PUBLIC_UNDO[form].format(by=note.by, text=escape(note.text or ""), get=escape(note.get or ""),
                                          answered=escape(note.answered or ""))
