"""One move on a deal, from reading it to writing it with what Slack must see, in steps read top to bottom."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.coach.types import Advice, Coach
from bot.commands import types as commands
from bot.db.deals import DealChanged, DealInContext
from bot.db.outbox import WaitingNote
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain.errors import Conflict
from bot.domain.ledger import Ledger, LedgerNotRead
from bot.domain.model import Deal, Entry, Policy
from bot.domain.outcome import final_state
from bot.domain.rules import Judgement, Rule, judge
from bot.messages import AlertPayload, MessageKind
from bot.services.access import Access, Actor
from bot.services.coaching import advise
from bot.services.notes import THREAD_NOTES, thread_note
from bot.services.results import DealResult, MoveKind, ToConfirm

# Tries reading a deal without a lock before one that locks it from the start (see Recorder.record).
_TRIES_BEFORE_LOCKING = 2
_COACHED = (MoveKind.ASK, MoveKind.CONCESSION, MoveKind.GET)  # moves whose reply carries the coach's advice


@dataclass(frozen=True)
class Recorded:
    """What a move did to the deal: the entry it recorded (if any) and, for an ask, the verdict as if conceded."""

    entry: Entry | None = None
    what_if: Judgement | None = None


# A change to one deal, given its policy and its ledger before the change. `ToConfirm`: the move's words read two
# ways on this deal, so nothing is recorded and the rep chooses.
Change = Callable[[Deal, Policy, Ledger], Recorded | ToConfirm]


@dataclass(frozen=True)
class Judged:
    """A move applied to the deal as read, and judged."""

    deal: Deal
    policy: Policy
    before: Ledger  # summed before the move
    ledger: Ledger  # summed once after it, for the rules, the row and the reply
    after: Judgement
    recorded: Recorded

    @property
    def verdict(self) -> Judgement:
        """What the move is judged by: an ask as if conceded, any other move by the deal after it."""
        return self.after if self.recorded.what_if is None else self.recorded.what_if

    def judged_before(self) -> Judgement:
        """The deal as it was: its facts are the deal's now (moves that alert only add entries), its ledger the
        one summed before. Costs a second judging, so only the alert rules that need it ask."""
        return judge(self.deal, self.policy, self.before)


# Which severe rules the managers hear of after a move.
AlertSelector = Callable[[Judged], frozenset[Rule]]


def no_alert(_judged: Judged) -> frozenset[Rule]:
    return frozenset()


def newly_severe(judged: Judged) -> frozenset[Rule]:
    """Rules at ESCALATE or WALK AWAY that this move set off; a rule still firing does not alert again. Judging
    the deal as it was is needed only when some rule is severe now."""
    severe = judged.verdict.severe_rules()
    return severe - judged.judged_before().severe_rules() if severe else severe


def unethical_ask(judged: Judged) -> frozenset[Rule]:
    """An ask whose words carry an ethics marker: managers hear of it whatever it would cost."""
    entry = judged.recorded.entry
    return frozenset({Rule.ETHICS}) if entry is not None and entry.ethics_markers else frozenset()


def won_below_floor(judged: Judged) -> frozenset[Rule]:
    """A deal closed as won under its floor: managers hear of it as the floor, the limit it crossed."""
    ended = final_state(judged.deal, judged.before)
    return frozenset({Rule.FLOOR}) if ended is not None and ended.won_below_floor else frozenset()


@dataclass(frozen=True)
class Move:
    """One `/deal` move, as the recorder needs it. `once`: a key it may be recorded under only once (a
    proposal's buttons, a confirmation's)."""

    kind: MoveKind
    change: Change
    alert_on: AlertSelector = no_alert
    customer_words: str = ""  # what the coach is given to answer
    once: str | None = None
    whole_ledger: bool = False  # reads every entry (undo, a worth stated later), not just the latest


@dataclass(frozen=True)
class Alerts:
    """The severe rules a move set off: sent to the alert channel, or, with none set anywhere, left unsent (the
    reply says so)."""

    rules: frozenset[Rule] = frozenset()
    channel: str | None = None
    unsent: frozenset[Rule] = frozenset()


class Recorder:
    """Records moves on deals: each one read, checked, applied, judged, coached and written once, with its outbox
    rows in the same transaction."""

    def __init__(self, uow: UnitOfWorkFactory, access: Access, coach: Coach, *,
                 default_alert_channel: str | None = None) -> None:
        self._uow, self._access, self._coach = uow, access, coach
        self._default_alert_channel = default_alert_channel

    def record(self, actor: Actor, ref: commands.DealRef, move: Move) -> DealResult | ToConfirm:
        """The reading and judging happen without a lock (on SQLite, before the one write lock is taken; on
        PostgreSQL, without locking the deal's row), and the write goes through only if no one saved the deal
        meanwhile; if someone did, the move is read and judged again, the last time locking from the start.
        A move reads the deal's running figures and its latest entries; one that needs an older entry (a get for a
        concession further back) is read again with the whole ledger."""
        try:
            return self._record(actor, ref, move, whole=move.whole_ledger)
        except LedgerNotRead:
            return self._record(actor, ref, move, whole=True)

    def _record(self, actor: Actor, ref: commands.DealRef, move: Move, *, whole: bool) -> DealResult | ToConfirm:
        for _ in range(_TRIES_BEFORE_LOCKING):
            try:
                return self._try(actor, ref, move, reads_first=True, whole=whole)
            except DealChanged:
                continue
        return self._try(actor, ref, move, reads_first=False, whole=whole)

    def _try(self, actor: Actor, ref: commands.DealRef, move: Move, *, reads_first: bool,
             whole: bool) -> DealResult | ToConfirm:
        with self._uow(actor.team_id, reads_first=reads_first) as uow:
            found = uow.deals.get_in_context(name=ref.name, deal_id=ref.id, latest_only=not whole)
            self._access.require_owner_or_manager(actor, found.deal, found.policy)
            before = Ledger.of(found.deal)
            recorded = move.change(found.deal, found.policy, before)
            if isinstance(recorded, ToConfirm):
                return recorded  # nothing written: the unit of work ends uncommitted
            judged = _judge(found, before, recorded)
            advice = self._coached(move, judged)
            waiting = _waiting_note(uow, found, move.kind)
            _start_writing(uow, move, judged.deal)
            alerts = self._alerts(move, judged)
            uow.deals.save(judged.deal, judged.after.verdict, judged.ledger)  # DealChanged if saved since read
            self._queue(uow, move.kind, judged, alerts, ext_shared=found.ext_shared, waiting=waiting)
            uow.commit()  # DealChanged here too, where the writes wait to be sent together
        return DealResult(move.kind, judged.deal, judged.ledger, judged.after, judged.policy,
                          entry=judged.recorded.entry, what_if=judged.recorded.what_if, advice=advice,
                          alerted=alerts.rules, unalerted=alerts.unsent, customer_words=move.customer_words)

    def _coached(self, move: Move, judged: Judged) -> Advice | None:
        """The coach's advice on an ask, a concession or a get; before the write, so the lines shown are saved
        with the move."""
        if move.kind not in _COACHED:
            return None
        return advise(self._coach, judged.deal, judged.ledger, judged.verdict, judged.policy, move.kind,
                      customer_words=move.customer_words)

    def _alerts(self, move: Move, judged: Judged) -> Alerts:
        rules = move.alert_on(judged)
        channel = judged.policy.alert_channel or self._default_alert_channel
        if rules and channel is None:
            return Alerts(unsent=rules)
        return Alerts(rules, channel)

    def _queue(self, uow: UnitOfWork, moment: MoveKind, judged: Judged, alerts: Alerts, *, ext_shared: bool | None,
               waiting: WaitingNote | None) -> None:
        """Card refresh and thread note (not in a channel shared with another organisation: its deals stay
        private), and the alert."""
        deal, entry = judged.deal, judged.recorded.entry
        assert deal.id is not None
        if ext_shared is not True:
            uow.outbox.refresh_card(channel=deal.channel_id, deal_id=deal.id)
            note = thread_note(moment, deal, entry) if moment in THREAD_NOTES else None
            if note is not None:
                uow.outbox.add_note(channel=deal.channel_id, deal_id=deal.id, note=note, waiting=waiting)
        if not alerts.rules or alerts.channel is None:
            return
        crossing: dict[str, object] = {}
        if deal.is_open:
            # The alert describes the moment of crossing, so its verdict and reasons are kept as they were. A closed
            # deal (a win below the floor) has no verdict: the alert shows its final state, which stays as it is.
            crossing = {"verdict": judged.verdict.verdict.word,
                        "findings": tuple((f.rule.value, f.verdict.word, f.reason) for f in judged.verdict.findings)}
        alert = AlertPayload(channel=alerts.channel, rules=tuple(sorted(alerts.rules)),
                             seq=entry.seq if entry else None, moment=moment.value, text=entry.text if entry else "",
                             **crossing)
        uow.outbox.add(MessageKind.ALERT, alert, channel=alerts.channel, deal_id=deal.id)


def _judge(found: DealInContext, before: Ledger, recorded: Recorded) -> Judged:
    ledger = Ledger.of(found.deal)
    return Judged(found.deal, found.policy, before, ledger, judge(found.deal, found.policy, ledger), recorded)


def _waiting_note(uow: UnitOfWork, found: DealInContext, moment: MoveKind) -> WaitingNote | None:
    """The deal's thread note still waiting to go out, which this move's note joins: read with the deal, or, when
    the deal was read locked, after the lock."""
    if found.ext_shared is True or moment not in THREAD_NOTES or found.deal.id is None:
        return None
    return found.waiting_note if found.notes_read else uow.outbox.waiting_note(found.deal.id)


def _start_writing(uow: UnitOfWork, move: Move, deal: Deal) -> None:
    """From here the unit of work writes; a move under a once-key, or a deal coming back, checks first."""
    uow.write()
    if move.once is not None and not uow.sent_once.claim(move.once):
        raise Conflict("That message is already logged.")
    if move.kind is MoveKind.BACK and uow.deals.name_is_open(deal.name):
        raise Conflict(f"Another open deal is named `{deal.name}`; close or rename it first.")
