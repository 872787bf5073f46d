"""A deal's running figures: what the rules need of its whole ledger, kept up to date one entry at a time."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.model import Entry, EntryKind


@dataclass(frozen=True, slots=True)
class Tally:
    """The figures of a deal's active entries. `apply` folds in one new entry, so a move never re-reads the
    ledger; `of` recomputes them from a whole ledger (after an undo or a worth stated later, and to backfill)."""

    last_seq: int = 0  # the newest entry counted, taken back or not: the next entry comes after it
    concessions: int = 0
    price_cents: int = 0  # percent, cut and price moves
    other_cents: int = 0  # free items and terms of known worth
    unpriced: int = 0  # free items and terms given without a worth
    gets: int = 0  # concessions with something received for them
    run: int = 0  # concessions in a row, back from the latest, with nothing received for them
    open_asks: int = 0  # asks since the latest concession
    latest_seq: int | None = None  # the latest concession
    latest_worth: int | None = None  # None: unknown worth (or no concession)
    latest_unqualified: bool = False
    previous_worth: int | None = None  # the concession before the latest

    @property
    def open_gives(self) -> int:
        """Concessions with nothing received for them yet, anywhere in the ledger."""
        return self.concessions - self.gets

    def apply(self, entry: Entry) -> Tally:
        """The figures with one new entry added (an ask, a concession, or a get for the latest concession that
        has nothing yet: the only get a move makes)."""
        last_seq = max(self.last_seq, entry.seq)
        if entry.taken_back:
            return dataclasses.replace(self, last_seq=last_seq)
        if entry.kind is EntryKind.ASK:
            return dataclasses.replace(self, last_seq=last_seq, open_asks=self.open_asks + 1)
        if entry.kind is EntryKind.GET:
            return dataclasses.replace(self, last_seq=last_seq, gets=self.gets + 1, run=0)
        priced = _changes_price(entry)
        return dataclasses.replace(
            self,
            last_seq=last_seq,
            concessions=self.concessions + 1,
            price_cents=self.price_cents + (entry.worth if priced else 0),
            other_cents=self.other_cents + (0 if priced else entry.worth),
            unpriced=self.unpriced + (not priced and not entry.worth_known),
            run=self.run + 1,
            open_asks=0,
            latest_seq=entry.seq,
            latest_worth=entry.worth_cents,
            latest_unqualified=entry.unqualified,
            previous_worth=self.latest_worth,
        )

    def folding(self, entries: Iterable[Entry]) -> Tally:
        """The figures with the entries newer than those counted added, in seq order."""
        tally = self
        for entry in sorted((e for e in entries if e.seq > self.last_seq), key=lambda e: e.seq):
            tally = tally.apply(entry)
        return tally

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Tally:
        """The figures of a whole ledger, summed as the ledger defines them (not by folding)."""
        everything = sorted(entries, key=lambda e: e.seq)
        active = [e for e in everything if e.active]
        concessions = [e for e in active if e.kind is EntryKind.CONCESSION]
        answered = {e.reciprocates for e in active if e.kind is EntryKind.GET}
        priced = [c for c in concessions if _changes_price(c)]
        others = [c for c in concessions if c not in priced]
        run = 0
        for concession in reversed(concessions):
            if concession.seq in answered:
                break
            run += 1
        latest = concessions[-1] if concessions else None
        latest_seq = latest.seq if latest else 0
        return cls(
            last_seq=everything[-1].seq if everything else 0,
            concessions=len(concessions),
            price_cents=sum(c.worth for c in priced),
            other_cents=sum(c.worth for c in others),
            unpriced=sum(1 for c in others if not c.worth_known),
            gets=sum(1 for c in concessions if c.seq in answered),
            run=run,
            open_asks=sum(1 for e in active if e.kind is EntryKind.ASK and e.seq > latest_seq),
            latest_seq=latest.seq if latest else None,
            latest_worth=latest.worth_cents if latest else None,
            latest_unqualified=latest.unqualified if latest else False,
            previous_worth=concessions[-2].worth_cents if len(concessions) > 1 else None,
        )


def _changes_price(concession: Entry) -> bool:
    """Percent, cut and price moves lower the net price; free items and terms the effective price only."""
    return concession.concession_type is not None and concession.concession_type.changes_price
