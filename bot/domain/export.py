"""A deal as an export carries it: the deal and its whole ledger, with what the database keeps beside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.model import Deal, Decision, Verdict


@dataclass(frozen=True)
class DealRecord:
    """`verdict`: the deal's latest, kept at each change (OK once closed: the rules judge open deals only);
    `decisions`: managers' answers to alerts, by the seq of the entry that set the alert off."""

    deal: Deal
    verdict: Verdict
    closed_at: datetime | None = None
    decisions: dict[int, Decision] = field(default_factory=dict)
