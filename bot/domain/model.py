"""The deal aggregate: its facts, its ledger entries and the workspace policy that judges it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.tally import Tally

DEFAULT_TERM_MONTHS = 12


class Verdict(IntEnum):
    """Ordered by severity, so the verdict of a deal is the max of the rules that fired."""

    OK = 0
    PUSH_BACK = 1
    ESCALATE = 2
    WALK_AWAY = 3

    @property
    def word(self) -> str:
        return self.name.replace("_", " ")


class Stage(StrEnum):
    OPEN = "open"
    WALKED = "walked"
    WON = "won"
    LOST = "lost"

    @property
    def said(self) -> str:
        """The stage as a reply to the rep says it: "acme is closed: you walked away", never "acme is walked"."""
        return _STAGE_SAID.get(self.value, self.value)


_STAGE_SAID = {"walked": "closed: you walked away", "won": "closed: won", "lost": "closed: lost"}


class Decision(StrEnum):
    """A manager's answer to an alert."""

    APPROVE = "approve"  # an exception to the cap, until the next concession
    WALK_AWAY = "walk away"  # tell the rep to walk away


class EntryKind(StrEnum):
    ASK = "ask"
    CONCESSION = "concession"
    GET = "get"


class ConcessionType(StrEnum):
    PERCENT = "percent"  # a share of list off the price
    CUT = "cut"  # an amount off the price
    PRICE = "price"  # a new net price; worth the difference
    FREE = "free"  # something given at no charge; worth what the rep says
    TERMS = "terms"  # payment or contract terms; worth what the rep says

    @property
    def changes_price(self) -> bool:
        return self in (ConcessionType.PERCENT, ConcessionType.CUT, ConcessionType.PRICE)


@dataclass(slots=True)
class Entry:
    """One line of a deal's ledger: an ask, a concession or a get. Taken-back entries stay as history."""

    seq: int
    kind: EntryKind
    by_user: str
    at: datetime
    text: str = ""
    concession_type: ConcessionType | None = None
    worth_cents: int | None = None  # for asks: the worth if it were conceded
    percent_bp: int | None = None
    reciprocates: int | None = None  # a get: the seq of the concession it answers
    unqualified: bool = False  # a concession made before the deal was qualified
    ethics_markers: tuple[str, ...] = ()
    taken_back: bool = False
    taken_back_by: str | None = None
    worth_estimated: bool = False  # the worth is Deal Coach's estimate (free months), not the rep's figure

    @property
    def active(self) -> bool:
        return not self.taken_back

    @property
    def worth(self) -> int:
        return self.worth_cents or 0

    @property
    def worth_known(self) -> bool:
        """A free item or terms given without a worth has none to compare or add up: it is unknown, not $0."""
        return self.worth_cents is not None


@dataclass
class Qualification:
    """What the rep knows before negotiating; None means not yet confirmed."""

    needs: bool | None = None
    decider: bool | None = None
    timeline: bool | None = None
    budget: bool | None = None

    FACTS = ("needs", "decider", "timeline", "budget")

    @property
    def unconfirmed(self) -> list[str]:
        return [fact for fact in self.FACTS if getattr(self, fact) is not True]

    @property
    def complete(self) -> bool:
        return not self.unconfirmed


@dataclass
class Policy:
    """A workspace's walk-away limits and digest choices; defaults from PRODUCT.md section 4."""

    cap_bp: int = 2000
    near_floor_bp: int = 500
    unreciprocated: int = 2
    max_concessions: int = 5
    hourly_cost_cents: int = 15_000
    time_share_bp: int = 1000
    alert_channel: str | None = None
    managers: tuple[str, ...] = ()
    digest_day: str = "mon"
    digest_hour: int = 9
    timezone: str = "UTC"
    digest_channel: str | None = None
    stale_days: int = 7


def cap_in_force(deal_cap_bp: int | None, workspace_cap_bp: int) -> int:
    """A deal's own cap when it has one, else the workspace's."""
    return deal_cap_bp if deal_cap_bp is not None else workspace_cap_bp


@dataclass
class Deal:
    """A negotiation with its walk-away floor, its qualification and its ledger."""

    id: int | None
    team_id: str
    name: str
    owner_id: str
    channel_id: str
    currency: str
    list_cents: int
    floor_cents: int
    target_cents: int | None = None
    cap_bp: int | None = None
    customer: str = ""
    term_months: int = DEFAULT_TERM_MONTHS  # what list buys: a free month is worth list ÷ term
    stage: Stage = Stage.OPEN
    qualification: Qualification = field(default_factory=Qualification)
    hours: Decimal = Decimal(0)
    ethics_flag: str | None = None
    fit_flag: str | None = None
    cap_approved_through: int | None = None  # seq of the concession a manager's exception covers
    outcome_cents: int | None = None
    outcome_note: str = ""
    came_back: bool = False
    coach_shown: tuple[str, ...] = ()  # the coach's lines last shown on this deal, newest last: not said again
    created_at: datetime | None = None
    entries: list[Entry] = field(default_factory=list)
    # None: `entries` is the whole ledger. Else `entries` are only the latest ones, read with the figures of the
    # whole ledger as stored on the deal (entries added since are counted in by `Ledger.of`).
    tally: Tally | None = None

    @property
    def is_open(self) -> bool:
        return self.stage is Stage.OPEN

    def effective_cap_bp(self, policy: Policy) -> int:
        return cap_in_force(self.cap_bp, policy.cap_bp)

    def next_seq(self) -> int:
        counted = self.tally.last_seq if self.tally is not None else 0
        return max(counted, max((entry.seq for entry in self.entries), default=0)) + 1

    @property
    def whole_ledger(self) -> bool:
        return self.tally is None
