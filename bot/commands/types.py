"""One small dataclass per `/deal` subcommand, as the parser produces them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.domain.money import Amount


@dataclass(frozen=True)
class DealRef:
    """A deal by name (case-insensitive, open deals) or by `#id` (any deal)."""

    name: str | None = None
    id: int | None = None

    def __str__(self) -> str:
        return f"#{self.id}" if self.id is not None else str(self.name)


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class NewDeal:
    name: str
    list_price: Amount
    floor: Amount
    target: Amount | None = None
    cap_bp: int | None = None
    customer: str = ""
    term_months: int | None = None


@dataclass(frozen=True)
class NewDealModal:
    """`/deal new` alone: open the form."""


@dataclass(frozen=True)
class ListDeals:
    all: bool = False


@dataclass(frozen=True)
class Status:
    deal: DealRef
    page: int = 1  # the ledger's gives 25 to a page, the latest first


@dataclass(frozen=True)
class Ask:
    deal: DealRef
    text: str


@dataclass(frozen=True)
class Concede:
    """What the rep conceded, in their words: read against the deal's prices (`bot.domain.reader`)."""

    deal: DealRef
    words: str


@dataclass(frozen=True)
class Get:
    deal: DealRef
    text: str
    worth: Amount | None = None


@dataclass(frozen=True)
class Worth:
    """What a give is worth: the `number`th give as the ledger numbers them, else the latest of unknown or
    estimated worth."""

    deal: DealRef
    worth: Amount
    number: int | None = None


@dataclass(frozen=True)
class Undo:
    deal: DealRef


@dataclass(frozen=True)
class Coach:
    deal: DealRef
    question: str = ""


@dataclass(frozen=True)
class Qualify:
    deal: DealRef
    facts: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Hours:
    deal: DealRef
    hours: Decimal


@dataclass(frozen=True)
class Flag:
    deal: DealRef
    kind: str  # "ethics", "fit", or "clear"
    text: str = ""


@dataclass(frozen=True)
class Outcome:
    deal: DealRef
    kind: str  # "walk", "won", "lost", "back"
    price: Amount | None = None
    note: str = ""


@dataclass(frozen=True)
class Summary:
    user: str | None = None
    period: str = "week"


@dataclass(frozen=True)
class Export:
    period: str = "all"  # week, month, quarter (to date) or all


@dataclass(frozen=True)
class PolicyCommand:
    changes: dict[str, object] = field(default_factory=dict)  # column -> parsed value (bot/commands/policy.py)


Command = (
    Help | NewDeal | NewDealModal | ListDeals | Status | Ask | Concede | Get | Worth | Undo | Coach | Qualify
    | Hours | Flag | Outcome | Summary | Export | PolicyCommand
)
