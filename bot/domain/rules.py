"""The walk-away rules: one function per rule, each judging a deal as it stands or its latest move."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from bot.domain.ethics import demands_in_words
from bot.domain.ledger import Ledger
from bot.domain.model import Deal, Entry, Policy, Verdict
from bot.domain.money import format_money, format_percent, percent_of
from bot.domain.tally import Tally


class Rule(StrEnum):
    FLOOR = "floor"
    ETHICS = "ethics"
    FIT = "fit"
    CAP = "cap"
    NEAR_FLOOR = "near floor"
    GIVE_WITHOUT_GET = "give without get"
    CREEP = "creep"
    GROWING_STEPS = "growing steps"
    UNQUALIFIED = "unqualified"
    TIME = "time"


@dataclass(frozen=True)
class Finding:
    """A rule that fired, with one line of why. `approved`: a manager's exception turned it to OK."""

    rule: Rule
    verdict: Verdict
    reason: str
    approved: bool = False


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    findings: tuple[Finding, ...]

    @property
    def rules(self) -> frozenset[Rule]:
        return frozenset(f.rule for f in self.findings)

    def severe_rules(self) -> frozenset[Rule]:
        """Rules firing at ESCALATE or WALK AWAY: the ones managers hear about."""
        return frozenset(f.rule for f in self.findings if f.verdict >= Verdict.ESCALATE)


@dataclass(frozen=True)
class Facts:
    deal: Deal
    policy: Policy
    ledger: Ledger

    def money(self, cents: int) -> str:
        return format_money(cents, self.deal.currency)

    @property
    def tally(self) -> Tally:
        """The running figures of the whole ledger: the rules read these, never the entries."""
        return self.ledger.tally


def floor_rule(facts: Facts) -> Finding | None:
    ledger = facts.ledger
    if ledger.effective_cents >= ledger.floor_cents:
        return None
    return Finding(
        Rule.FLOOR,
        Verdict.WALK_AWAY,
        f"Effective price {facts.money(ledger.effective_cents)} is {facts.money(-ledger.headroom_cents)} "
        f"below your floor of {facts.money(ledger.floor_cents)}.",
    )


def ethics_rule(facts: Facts) -> Finding | None:
    if facts.deal.ethics_flag is None:
        return None
    return Finding(Rule.ETHICS, Verdict.WALK_AWAY, f"Flagged as unethical: {facts.deal.ethics_flag}")


def fit_rule(facts: Facts) -> Finding | None:
    if facts.deal.fit_flag is None:
        return None
    return Finding(Rule.FIT, Verdict.WALK_AWAY, f"Flagged as a poor fit: {facts.deal.fit_flag}")


def cap_rule(facts: Facts) -> Finding | None:
    cap = facts.deal.effective_cap_bp(facts.policy)
    discount = facts.ledger.effective_discount_bp
    if discount <= cap:
        return None
    reason = f"Effective discount {format_percent(float(discount))} is over the {format_percent(cap)} cap."
    approved_through = facts.deal.cap_approved_through
    if approved_through is not None and facts.tally.latest_seq == approved_through:
        return Finding(Rule.CAP, Verdict.OK, reason + " A manager approved this exception.", approved=True)
    return Finding(Rule.CAP, Verdict.ESCALATE, reason)


def near_floor_rule(facts: Facts) -> Finding | None:
    ledger = facts.ledger
    margin = percent_of(ledger.list_cents, facts.policy.near_floor_bp)
    if ledger.headroom_cents >= margin:
        return None
    left = f"Only {facts.money(ledger.headroom_cents)}" if ledger.headroom_cents >= 0 else "Nothing"
    return Finding(
        Rule.NEAR_FLOOR,
        Verdict.PUSH_BACK,
        f"{left} above your floor; keep at least {facts.money(margin)} "
        f"({format_percent(facts.policy.near_floor_bp)} of list).",
    )


def give_without_get_rule(facts: Facts) -> Finding | None:
    run = facts.tally.run
    if not facts.tally.concessions or run < facts.policy.unreciprocated:
        return None
    return Finding(
        Rule.GIVE_WITHOUT_GET,
        Verdict.PUSH_BACK,
        f"{run} concessions in a row with nothing received for them; get something before giving again.",
    )


def creep_rule(facts: Facts) -> Finding | None:
    count = facts.tally.concessions
    if count <= facts.policy.max_concessions:
        return None
    return Finding(
        Rule.CREEP,
        Verdict.PUSH_BACK,
        f"{count} concessions on this deal, more than {facts.policy.max_concessions}.",
    )


def growing_steps_rule(facts: Facts) -> Finding | None:
    tally = facts.tally
    before, latest = tally.previous_worth, tally.latest_worth
    if tally.concessions < 2 or before is None or latest is None or latest <= before:
        return None  # a step of unknown worth cannot be compared, and is not $0
    return Finding(
        Rule.GROWING_STEPS,
        Verdict.PUSH_BACK,
        f"This concession ({facts.money(latest)}) is bigger than the one before it "
        f"({facts.money(before)}); each step should be smaller.",
    )


def unqualified_rule(facts: Facts) -> Finding | None:
    if not facts.tally.concessions or not facts.tally.latest_unqualified:
        return None
    missing = ", ".join(facts.deal.qualification.unconfirmed) or "qualification"
    return Finding(Rule.UNQUALIFIED, Verdict.PUSH_BACK, f"Conceded before confirming {missing}.")


def time_rule(facts: Facts) -> Finding | None:
    cost = int(facts.deal.hours * facts.policy.hourly_cost_cents)
    allowed = percent_of(max(facts.ledger.effective_cents, 0), facts.policy.time_share_bp)
    if cost <= allowed:
        return None
    return Finding(
        Rule.TIME,
        Verdict.PUSH_BACK,
        f"Your time ({_hours(facts.deal.hours)} h at {facts.money(facts.policy.hourly_cost_cents)}/h = "
        f"{facts.money(cost)}) is over {format_percent(facts.policy.time_share_bp)} of the effective price.",
    )


def _hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


RULES: tuple[Callable[[Facts], Finding | None], ...] = (
    floor_rule,
    ethics_rule,
    fit_rule,
    cap_rule,
    near_floor_rule,
    give_without_get_rule,
    creep_rule,
    growing_steps_rule,
    unqualified_rule,
    time_rule,
)


# What a closed deal is judged: nothing fires. Its stored verdict is OK; it shows its final state instead
# (`outcome.final_state`), and judging resumes if it reopens (`/deal back`).
CLOSED = Judgement(Verdict.OK, ())


def judge(deal: Deal, policy: Policy, ledger: Ledger | None = None) -> Judgement:
    """The most severe verdict of every rule that fires, with all the findings in rule order. Rules judge open
    deals only: a closed deal (walked, won, lost) is CLOSED, with no findings.
    `ledger`: the deal's ledger, when the caller has it already (it is the deal's entries, summed)."""
    if not deal.is_open:
        return CLOSED
    facts = Facts(deal, policy, ledger or Ledger.of(deal))
    findings = tuple(finding for rule in RULES if (finding := rule(facts)) is not None)
    verdict = max((finding.verdict for finding in findings), default=Verdict.OK)
    return Judgement(verdict, findings)


def demand_finding(markers: tuple[str, ...]) -> Finding:
    """An unethical demand, said back to the rep with why it ends the talk."""
    return Finding(Rule.ETHICS, Verdict.WALK_AWAY,
                   f"They asked for {demands_in_words(markers)}: no deal is worth that.")


def judge_ask(deal: Deal, policy: Policy, ask_as_concession: Entry) -> Judgement:
    """Judges the deal as if the ask were conceded; an unethical demand is WALK AWAY on its own."""
    what_if = dataclasses.replace(deal, entries=[*deal.entries, ask_as_concession])
    judgement = judge(what_if, policy)
    if not ask_as_concession.ethics_markers:
        return judgement
    return with_demand(judgement, ask_as_concession.ethics_markers)


def with_demand(judgement: Judgement, markers: tuple[str, ...]) -> Judgement:
    """The judgement with the demand named first, at WALK AWAY; nothing else that fired is hidden."""
    others = tuple(f for f in judgement.findings if f.rule is not Rule.ETHICS)
    return Judgement(Verdict.WALK_AWAY, (demand_finding(markers), *others))


def beyond_giving(markers: tuple[str, ...]) -> Judgement:
    """An ask that cannot be given at all (it would take the price to zero or below). When it is an unethical
    demand, its figure is what someone would pocket ("a $200k kickback"), so the demand alone is the reason."""
    if markers:
        return with_demand(Judgement(Verdict.WALK_AWAY, ()), markers)
    return Judgement(Verdict.WALK_AWAY, (
        Finding(Rule.FLOOR, Verdict.WALK_AWAY, "Giving this would take the price to zero or below."),
    ))
