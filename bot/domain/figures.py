"""A period's figures and the definitions they are counted by, which the SQL summaries are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.model import Stage, Verdict

# The discount bands' upper edges in basis points, each band [previous edge, edge); the last band has none.
BAND_EDGES_BP = (1000, 2000, 3000)
BANDS = ("0-10%", "10-20%", "20-30%", "over 30%")
assert len(BANDS) == len(BAND_EDGES_BP) + 1
UNDER_CAP_BP = 200  # "just under the cap": within two points below it
# The verdicts of an open deal a manager is shown (a closed deal's verdict is OK: the rules judge open deals).
NEEDS_ATTENTION = (Verdict.ESCALATE, Verdict.WALK_AWAY)
CLOSED_STAGES = (Stage.WALKED, Stage.WON, Stage.LOST)


def discount_bp(price_cents: int, list_cents: int) -> Decimal:
    """How far a price sits below list, in basis points of list."""
    return (1 - Decimal(price_cents) / Decimal(list_cents)) * 10_000


def closing_price_cents(stage: Stage, outcome_cents: int | None, effective_cents: int) -> int:
    """The price a closed deal is judged at: a win's price when the rep gave one, else the ledger's effective
    price (a walk-away or a loss keeps no price of its own: what was on the table is what it ended at)."""
    if stage is Stage.WON and outcome_cents is not None:
        return outcome_cents
    return effective_cents


def band_of(discount: Decimal | float) -> int:
    """The index in `BANDS` of a discount in basis points."""
    return next((i for i, edge in enumerate(BAND_EDGES_BP) if discount < edge), len(BAND_EDGES_BP))


def needs_attention(stage: Stage, verdict: Verdict) -> bool:
    return stage is Stage.OPEN and verdict in NEEDS_ATTENTION


def just_under_cap(discount: Decimal | float, cap_bp: int, concessions: int) -> bool:
    """Conceded up to the limit rather than held: within `UNDER_CAP_BP` under the deal's cap, by concessions."""
    return concessions > 0 and cap_bp - UNDER_CAP_BP <= discount <= cap_bp


def in_period(moment: datetime | None, period: Period) -> bool:
    return moment is not None and period.start <= moment < period.end


def active_in(period: Period, created_at: datetime, updated_at: datetime) -> bool:
    """A deal that existed in the period and changed in it or since: the deals a period's deal figures are of."""
    return created_at < period.end and updated_at >= period.start


def closed_in(period: Period, stage: Stage, closed_at: datetime | None, as_stage: Stage) -> bool:
    """Closed in the period, and still closed so (a walk-away the customer came back to is open again)."""
    return stage is as_stage and in_period(closed_at, period)


def walked_in(period: Period, walked_at: datetime | None) -> bool:
    """Walked away in the period: the rep walked away then (`walked_at`, the latest walk-away), even if the customer
    has come back since. A walk-away counts where it happened, so "came back" never outnumbers it."""
    return in_period(walked_at, period)


def came_back_since(period: Period, stage: Stage, walked_at: datetime | None) -> bool:
    """Of the deals walked away from in the period, those the customer came back to since: a deal leaves the
    walked stage only by coming back, so one walked and no longer walked came back after its latest walk-away."""
    return walked_in(period, walked_at) and stage is not Stage.WALKED


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, and its name as people say it ("week", "month", "quarter")."""

    name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class RepFigures:
    user_id: str
    deals_opened: int = 0
    concessions: int = 0
    with_get: int = 0
    without_get: int = 0
    avg_discount_bp: float | None = None  # over the deals active in the period
    escalate: int = 0  # open deals now at escalate
    walk_away: int = 0  # open deals now at walk away
    walked: int = 0  # walked away from in the period, come back since or not (`walked_in`)
    came_back: int = 0  # of those walked, come back since (`came_back_since`)
    won: int = 0
    lost: int = 0
    won_discount_bp: float | None = None
    lost_discount_bp: float | None = None


@dataclass(frozen=True)
class Band:
    """Deals closed in the period whose effective discount fell in this band."""

    label: str
    won: int
    lost: int

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None


@dataclass(frozen=True)
class AttentionDeal:
    name: str
    deal_id: int
    owner_id: str
    verdict: str


@dataclass(frozen=True)
class TeamFigures:
    totals: RepFigures
    previous: RepFigures  # the same totals for the period before
    bands: tuple[Band, ...]
    under_cap: int
    attention: tuple[AttentionDeal, ...]
