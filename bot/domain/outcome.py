"""How a closed deal ended, in figures: the price it closed at and where that sits against list, floor and target.

A closed deal (walked, won, lost) is not judged by the walk-away rules (they judge open deals): it keeps this
final state instead. A win below the floor is the one ending managers hear about."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain.figures import closing_price_cents, discount_bp
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Stage


@dataclass(frozen=True)
class FinalState:
    """`price_cents`: the won price when the rep gave one (`/deal won acme 95k`), else the ledger's effective price
    (a walk-away, a loss, a win without a price). The discount, and the gaps to floor and target, are of that
    price, as the summaries count a closed deal."""

    stage: Stage
    price_cents: int
    won_price: bool  # the price is the one given when marking the deal won, not the ledger's
    list_cents: int
    floor_cents: int
    target_cents: int | None

    @property
    def discount_bp(self) -> Decimal:
        return discount_bp(self.price_cents, self.list_cents)

    @property
    def over_floor_cents(self) -> int:
        """Above the floor (negative: below it)."""
        return self.price_cents - self.floor_cents

    @property
    def over_target_cents(self) -> int | None:
        """Above the target (negative: below it); None without a target."""
        return None if self.target_cents is None else self.price_cents - self.target_cents

    @property
    def won_below_floor(self) -> bool:
        return self.stage is Stage.WON and self.price_cents < self.floor_cents


def final_state(deal: Deal, ledger: Ledger | None = None) -> FinalState | None:
    """The deal's final state, or None while it is open. `ledger`: the deal's, when the caller has it."""
    if deal.is_open:
        return None
    effective = (ledger or Ledger.of(deal)).effective_cents
    price = closing_price_cents(deal.stage, deal.outcome_cents, effective)
    won_price = deal.stage is Stage.WON and deal.outcome_cents is not None
    return FinalState(deal.stage, price, won_price, deal.list_cents, deal.floor_cents, deal.target_cents)
