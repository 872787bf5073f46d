"""What a deal's thread (its public room) is told of a move: the move and its get, never a price move's amount
nor anything measured against the floor."""

from __future__ import annotations

from typing import Any

from bot.domain import deals as domain
from bot.domain.model import Deal, Entry, EntryKind
from bot.messages import NoteLine
from bot.services.results import MoveKind

# Kinds of move that leave a line in the deal's thread; none of them shows the floor.
THREAD_NOTES = {MoveKind.CONCESSION, MoveKind.GET, MoveKind.UNDO, MoveKind.WALK, MoveKind.WON, MoveKind.LOST,
                MoveKind.BACK}


def thread_note(moment: MoveKind, deal: Deal, entry: Entry | None) -> NoteLine | None:
    """What the thread may know: the move and its get, never prices relative to the floor. None: nothing to note."""
    note: dict[str, Any] = {"moment": moment.value, "by": entry.by_user if entry else deal.owner_id}
    if moment is MoveKind.UNDO and entry is not None:
        return _undo_note(note, deal, entry)
    if entry is not None:
        note["text"] = _public_text(entry)
        note["kind"] = entry.kind.value
        if entry.kind is EntryKind.CONCESSION:
            # From the end: the get, if any, was logged with the concession, after every older entry.
            got = next((e for e in reversed(deal.entries) if e.active and e.reciprocates == entry.seq), None)
            note["get"] = got.text if got else ""
    if moment in (MoveKind.WON, MoveKind.LOST, MoveKind.WALK):
        note["reason"] = deal.outcome_note
    return NoteLine(**note)


def _undo_note(note: dict[str, Any], deal: Deal, entry: Entry) -> NoteLine | None:
    """The move taken back, as the thread saw it recorded: a customer's ask was never noted there, so neither is
    taking it back; a get taken back alone names the concession it answered."""
    move = domain.move_ending_with(deal, entry)
    first = move[0]
    if first.kind is EntryKind.ASK:
        return None
    note.update(text=_public_text(first), kind=first.kind.value)
    if len(move) > 1:
        note["get"] = move[-1].text
    elif first.kind is EntryKind.GET:
        answered = next((e for e in deal.entries if e.seq == first.reciprocates), None)
        note["answered"] = _public_text(answered) if answered else ""
    return NoteLine(**note)


def _public_text(entry: Entry) -> str:
    """An entry as the channel may read it: a price move without its amount (the channel may read the card, not
    the discount)."""
    priced = entry.concession_type is not None and entry.concession_type.changes_price
    return "a price concession" if priced and entry.kind is EntryKind.CONCESSION else entry.text
