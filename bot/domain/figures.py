"""A period's figures, per rep and for the team, as the database aggregated them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

BANDS = ("0-10%", "10-20%", "20-30%", "over 30%")
UNDER_CAP_BP = 200  # "just under the cap": within two points below it


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
    walked: int = 0
    came_back: int = 0
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
