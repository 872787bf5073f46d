"""What services return: plain data for the renderers, never Slack blocks."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.coach.types import Advice
from bot.domain.figures import Period, RepFigures, TeamFigures
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Entry, Policy
from bot.domain.reader import Reading
from bot.domain.rules import Judgement, Rule


class MoveKind(StrEnum):
    OPENED = "opened"
    STATUS = "status"
    ASK = "ask"
    CONCESSION = "concession"
    GET = "get"
    UNDO = "undo"
    WORTH = "worth"  # the rep said what a give of unknown or estimated worth is worth
    COACH = "coach"
    QUALIFY = "qualify"
    HOURS = "hours"
    FLAG = "flag"
    CLEAR = "clear"
    WALK = "walk"
    WON = "won"
    LOST = "lost"
    BACK = "back"
    DECISION = "decision"  # a manager's answer to an alert


GIVES_PER_PAGE = 10  # a status shows the ledger's gives this many at a time, the latest first: a phone's screen


@dataclass(frozen=True)
class DealResult:
    """A deal after (or as of) one command, judged, with what the rep should hear."""

    kind: MoveKind
    deal: Deal
    ledger: Ledger
    judgement: Judgement
    policy: Policy
    entry: Entry | None = None  # what this command recorded, or the last entry of the move it took back
    what_if: Judgement | None = None  # an ask, or what a coach request asks: the verdict if it were conceded
    advice: Advice | None = None
    alerted: frozenset[Rule] = frozenset()  # severe rules newly firing, sent to the managers
    unalerted: frozenset[Rule] = frozenset()  # the same, when no alert channel is set
    ext_shared: bool = False  # the channel is shared with another organisation
    customer_words: str = ""  # what the coach was given to answer
    question: str = ""
    page: int = 1  # a status's page of the ledger's gives


@dataclass(frozen=True)
class ToConfirm:
    """A concession whose words read two ways on this deal: what was read, to confirm or correct."""

    deal: Deal
    reading: Reading
    words: str
    token: str  # the confirmation's buttons log it once, whichever is clicked and however often


@dataclass(frozen=True)
class DealLine:
    deal: Deal
    ledger: Ledger
    judgement: Judgement


@dataclass(frozen=True)
class DealListResult:
    lines: tuple[DealLine, ...]
    everyone: bool
    truncated: bool = False


@dataclass(frozen=True)
class PolicyResult:
    policy: Policy
    changed: tuple[str, ...] = ()
    alert_channel_default: str | None = None
    settings_managers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryResult:
    """A period's figures (all from SQL) and the sentences written from them."""

    period: Period
    timezone: str
    reps: tuple[RepFigures, ...]
    team: TeamFigures | None
    sentences: tuple[str, ...]
    subject: str | None = None  # the rep summarised, or None for the whole team


@dataclass(frozen=True)
class ExportQueued:
    """A manager's export: how many deals it holds, over which period (`all`: every deal); none: nothing queued."""

    period: str
    deals: int
