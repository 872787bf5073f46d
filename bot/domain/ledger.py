"""The concession ledger: net and effective price, effective discount, headroom, gives and gets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from bot.domain.figures import discount_bp
from bot.domain.model import ConcessionType, Deal, Entry, EntryKind

PRICE_TYPES = frozenset({ConcessionType.PERCENT, ConcessionType.CUT, ConcessionType.PRICE})


class Give(NamedTuple):
    """A concession with what was received for it, if anything (a tuple: a ledger makes one per concession)."""

    concession: Entry
    get: Entry | None

    @property
    def reciprocated(self) -> bool:
        return self.get is not None


@dataclass(frozen=True)
class Ledger:
    """Figures of one deal's active entries; price concessions add up on list, nothing compounds."""

    list_cents: int
    floor_cents: int
    gives: tuple[Give, ...]
    open_asks: tuple[Entry, ...]
    price_concessions_cents: int = 0  # percent, cut and price moves: they lower the net price
    other_concessions_cents: int = 0  # free items and terms: they lower the effective price only

    @classmethod
    def of(cls, deal: Deal) -> Ledger:
        # One pass over the entries: every move sums its deal's whole ledger, so this is on the hot path.
        concessions: list[Entry] = []
        asks: list[Entry] = []
        gets: dict[int | None, Entry] = {}
        priced = other = last_concession = 0
        for entry in deal.entries:
            if entry.taken_back:
                continue
            kind = entry.kind
            if kind is EntryKind.CONCESSION:
                concessions.append(entry)
                if entry.seq > last_concession:
                    last_concession = entry.seq
                if entry.concession_type in PRICE_TYPES:
                    priced += entry.worth_cents or 0
                else:
                    other += entry.worth_cents or 0
            elif kind is EntryKind.GET:
                gets[entry.reciprocates] = entry
            elif kind is EntryKind.ASK:
                asks.append(entry)
        return cls(
            list_cents=deal.list_cents,
            floor_cents=deal.floor_cents,
            gives=tuple([Give(entry, gets.get(entry.seq)) for entry in concessions]),
            # An ask stays open until the rep next concedes something (the concession answers it).
            open_asks=tuple(ask for ask in asks if ask.seq > last_concession),
            price_concessions_cents=priced,
            other_concessions_cents=other,
        )

    @cached_property  # the rules ask for it several times per judging
    def concessions(self) -> list[Entry]:
        return [give.concession for give in self.gives]

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
        run = 0
        for give in reversed(self.gives):
            if give.reciprocated:
                break
            run += 1
        return run

    @property
    def latest_unreciprocated(self) -> Entry | None:
        for give in reversed(self.gives):
            if not give.reciprocated:
                return give.concession
        return None

    @property
    def gets_count(self) -> int:
        return sum(1 for give in self.gives if give.reciprocated)

    @property
    def unpriced(self) -> list[Entry]:
        """Free items and terms given without a worth: unknown, left out of the effective price and said so."""
        return [c for c in self.concessions if c.concession_type not in PRICE_TYPES and c.worth_cents is None]
