"""The concession ledger: net and effective price, effective discount, headroom, gives and gets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from bot.domain.figures import discount_bp
from bot.domain.model import ConcessionType, Deal, Entry, EntryKind
from bot.domain.tally import Tally

PRICE_TYPES = frozenset({ConcessionType.PERCENT, ConcessionType.CUT, ConcessionType.PRICE})


class Give(NamedTuple):
    """A concession with what was received for it, if anything (a tuple: a ledger makes one per concession)."""

    concession: Entry
    get: Entry | None

    @property
    def reciprocated(self) -> bool:
        return self.get is not None


class LedgerNotRead(Exception):
    """A figure needs entries older than the latest ones read: read the deal again with its whole ledger."""


@dataclass(frozen=True)
class Ledger:
    """Figures of one deal's active entries; price concessions add up on list, nothing compounds. The totals come
    from the running figures (`Tally`); `gives` and `open_asks` are those among the entries read: the whole ledger,
    or its latest entries only (`complete` False), which is what a move reads."""

    list_cents: int
    floor_cents: int
    tally: Tally
    gives: tuple[Give, ...]
    open_asks: tuple[Entry, ...]
    complete: bool = True

    @classmethod
    def of(cls, deal: Deal) -> Ledger:
        complete = deal.tally is None
        tally = Tally.of(deal.entries) if deal.tally is None else deal.tally.folding(deal.entries)
        concessions: list[Entry] = []
        asks: list[Entry] = []
        gets: dict[int | None, Entry] = {}
        for entry in deal.entries:
            if entry.taken_back:
                continue
            kind = entry.kind
            if kind is EntryKind.CONCESSION:
                concessions.append(entry)
            elif kind is EntryKind.GET:
                gets[entry.reciprocates] = entry
            elif kind is EntryKind.ASK:
                asks.append(entry)
        latest = tally.latest_seq or 0
        return cls(
            list_cents=deal.list_cents,
            floor_cents=deal.floor_cents,
            tally=tally,
            # A get always comes after its concession: among the latest entries, each give read has its get.
            gives=tuple([Give(entry, gets.get(entry.seq)) for entry in concessions]),
            # An ask stays open until the rep next concedes something (the concession answers it).
            open_asks=tuple(ask for ask in asks if ask.seq > latest),
            complete=complete,
        )

    @cached_property  # the rules ask for it several times per judging
    def concessions(self) -> list[Entry]:
        """The concessions among the entries read (see `complete`); `concession_count` counts them all."""
        return [give.concession for give in self.gives]

    @property
    def concession_count(self) -> int:
        return self.tally.concessions

    @property
    def first_number(self) -> int:
        """The number of the first give read, as the ledger numbers them (1, 2, 3…)."""
        return self.tally.concessions - len(self.gives) + 1

    def has_latest_gives(self, count: int) -> bool:
        """Whether the latest `count` gives (or all, when fewer) are among the entries read."""
        return len(self.gives) >= min(count, self.tally.concessions)

    @property
    def price_concessions_cents(self) -> int:
        return self.tally.price_cents

    @property
    def other_concessions_cents(self) -> int:
        return self.tally.other_cents

    @property
    def net_cents(self) -> int:
        return self.list_cents - self.price_concessions_cents

    @property
    def effective_cents(self) -> int:
        return self.net_cents - self.other_concessions_cents

    @property
    def effective_discount(self) -> Decimal:
        """1 − effective / list, as a fraction."""
        return 1 - Decimal(self.effective_cents) / Decimal(self.list_cents)

    @property
    def effective_discount_bp(self) -> Decimal:
        return discount_bp(self.effective_cents, self.list_cents)

    @property
    def headroom_cents(self) -> int:
        return self.effective_cents - self.floor_cents

    @property
    def unreciprocated_run(self) -> int:
        """Concessions in a row, counting back from the latest, with nothing received for them."""
        return self.tally.run

    @property
    def latest_unreciprocated(self) -> Entry | None:
        """The latest concession with nothing received for it. `LedgerNotRead` when it is older than the entries
        read."""
        for give in reversed(self.gives):
            if not give.reciprocated:
                return give.concession
        if self.tally.open_gives and not self.complete:
            raise LedgerNotRead
        return None

    @property
    def gets_count(self) -> int:
        return self.tally.gets

    @property
    def unpriced(self) -> list[Entry]:
        """Free items and terms given without a worth, among the gives read: unknown, left out of the effective
        price and said so."""
        return [c for c in self.concessions if c.concession_type not in PRICE_TYPES and c.worth_cents is None]
