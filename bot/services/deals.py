"""The deal use cases behind `/deal`: open, judge, record moves, take them back, close; one commit each."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from bot.coach.types import Advice, Coach
from bot.commands import types as c
from bot.db.deals import DealChanged
from bot.db.outbox import WaitingNote
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import deals as ops
from bot.domain.concession_text import MAX_TEXT_CHARS, free_text
from bot.domain.errors import Conflict, InputError
from bot.domain.ethics import ethics_markers
from bot.domain.ledger import Ledger
from bot.domain.model import DEFAULT_TERM_MONTHS, Deal, Entry, EntryKind, Policy, Stage
from bot.domain.outcome import final_state
from bot.domain.reader import read_ask, read_concession, terms_of
from bot.domain.rules import Judgement, Rule, beyond_giving, judge, judge_ask
from bot.messages import AlertPayload, CardPayload, ChartPayload, MessageKind
from bot.services.access import Access, Actor
from bot.services.coaching import advise
from bot.services.notes import THREAD_NOTES, thread_note
from bot.services.results import DealResult, Moment, ToConfirm

# A change to one deal, given its ledger before the change: returns the entry it recorded (if any) and, for an
# ask, the what-if verdict.
Recorder = Callable[[Deal, Policy, Ledger], tuple[Entry | None, Judgement | None]]
# Which severe rules to alert on, given the judgement after the move and a way to judge the deal as it was
# before, which costs a second judging and is asked for only when needed. Only moves that add entries alert.
AlertRule = Callable[[Judgement, Callable[[], Judgement]], frozenset[Rule]]

# Tries reading a deal without a lock before one that locks it from the start (see _record).
_TRIES_BEFORE_LOCKING = 2
_COACHED = (Moment.ASK, Moment.CONCESSION, Moment.GET)  # moves whose reply carries the coach's advice
_CLOSING = {"walk": (Stage.WALKED, Moment.WALK), "won": (Stage.WON, Moment.WON), "lost": (Stage.LOST, Moment.LOST)}


def utc_now() -> datetime:
    return datetime.now(UTC)


class DealService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        access: Access,
        coach: Coach,
        *,
        default_alert_channel: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._uow, self._access, self._coach = uow, access, coach
        self._default_alert_channel = default_alert_channel
        self._clock = clock

    # Reading ------------------------------------------------------------------------------------

    def status(self, actor: Actor, command: c.Status) -> DealResult:
        with self._uow(actor.team_id, read_only=True) as uow:
            deal, policy, _ = _load(uow, command.deal)
            self._access.require_owner_or_manager(actor, deal, policy, "see the figures of")
        return self._result(Moment.STATUS, deal, policy)

    def send_chart(self, actor: Actor, deal_id: int) -> None:
        """The price chart (it shows the floor) to the asker's direct messages, from the status reply's button."""
        with self._uow(actor.team_id) as uow:
            policy = uow.workspaces.policy()
            deal = uow.deals.get(deal_id=deal_id)
            self._access.require_owner_or_manager(actor, deal, policy, "see the figures of")
            # A chart still waiting will draw the deal as it is when sent: one in the queue is enough.
            if not uow.outbox.pending(kind=MessageKind.CHART, channel=actor.user_id, deal_id=deal_id):
                uow.outbox.add(MessageKind.CHART, ChartPayload(user=actor.user_id), channel=actor.user_id,
                               deal_id=deal_id)
            uow.commit()

    # Opening ------------------------------------------------------------------------------------

    def open(self, actor: Actor, command: c.NewDeal, *, response_url: str | None = None) -> DealResult:
        with self._uow(actor.team_id) as uow:
            uow.workspaces.ensure()
            policy = uow.workspaces.policy()
            if uow.deals.name_is_open(command.name):
                raise Conflict(f"A deal named `{command.name}` is already open. Pick another name.", field="name")
            by_manager = command.cap_bp is not None and self._access.is_manager(actor, policy)
            deal = ops.new_deal(
                team_id=actor.team_id,
                name=command.name,
                owner_id=actor.user_id,
                channel_id=actor.channel_id,
                list_price=command.list_price,
                floor=command.floor,
                target=command.target,
                cap_bp=command.cap_bp,
                customer=command.customer,
                policy=policy,
                by_manager=by_manager,
                at=self._clock(),
                term_months=command.term_months or DEFAULT_TERM_MONTHS,
            )
            judgement = judge(deal, policy)
            advice = advise(self._coach, deal, Ledger.of(deal), judgement, policy, Moment.OPENED)
            try:
                uow.deals.add(deal, judgement.verdict)
            except IntegrityError:
                raise Conflict(f"A deal named `{command.name}` was just opened. Pick another name.",
                               field="name") from None
            ext_shared = uow.channels.is_ext_shared(actor.channel_id) is True
            if not ext_shared:
                uow.outbox.add(MessageKind.CARD, CardPayload(), channel=deal.channel_id, deal_id=deal.id,
                               response_url=response_url)
            uow.commit()
        return self._result(Moment.OPENED, deal, policy, ext_shared=ext_shared, advice=advice)

    # Recording moves ----------------------------------------------------------------------------

    def ask(self, actor: Actor, command: c.Ask, *, once: str | None = None) -> DealResult:
        """Records the ask and judges it as if conceded; the deal's own verdict does not change.
        `once`: a key this move may be recorded under only once (a proposal's buttons)."""
        markers = ethics_markers(command.text)

        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[Entry, Judgement]:
            ops.require_open(deal)
            spec = read_ask(command.text, terms_of(deal, ledger))
            ask = Entry(
                seq=deal.next_seq(), kind=EntryKind.ASK, by_user=actor.user_id, at=self._clock(),
                text=command.text, concession_type=spec.type, percent_bp=spec.percent_bp,
                ethics_markers=markers,
            )
            try:
                as_given = ops.concession_entry(deal, spec, by=actor.user_id, at=ask.at, ledger=ledger)
                ask.worth_cents = as_given.worth_cents
                what_if = judge_ask(deal, policy, dataclasses.replace(as_given, ethics_markers=markers))
            except InputError:
                what_if = beyond_giving(markers)
            deal.entries.append(ask)
            return ask, what_if

        return self._record(actor, command.deal, Moment.ASK, record, customer_words=command.text, once=once,
                            alert_on=lambda what_if, _before: frozenset({Rule.ETHICS}) if markers else frozenset())

    def concede(self, actor: Actor, command: c.Concede, *, once: str | None = None) -> DealResult | ToConfirm:
        """Records the concession its words name, read against the deal's prices; a reading the deal leaves
        uncertain (a bare figure that could be a price or a cut, "at 90" on a $100k deal) records nothing and
        comes back to be confirmed with one click."""
        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[Entry, None]:
            ops.require_open(deal)
            reading = read_concession(command.words, terms_of(deal, ledger))
            if not reading.sure:
                raise _Unsure(ToConfirm(deal, reading, command.words, uuid.uuid4().hex[:16]))
            at = self._clock()
            entry = ops.concession_entry(deal, reading.spec, by=actor.user_id, at=at, ledger=ledger)
            deal.entries.append(entry)
            if reading.get:
                get = free_text(reading.get, "the get", MAX_TEXT_CHARS)
                deal.entries.append(ops.get_entry(deal, get, None, by=actor.user_id, at=at, answering=entry))
            return entry, None

        try:
            return self._record(actor, command.deal, Moment.CONCESSION, record, alert_on=_newly_severe, once=once)
        except _Unsure as unsure:
            return unsure.reading

    def get(self, actor: Actor, command: c.Get) -> DealResult:
        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[Entry, None]:
            ops.require_open(deal)
            entry = ops.get_entry(deal, command.text, command.worth, by=actor.user_id, at=self._clock(),
                                  answering=ledger.latest_unreciprocated)
            deal.entries.append(entry)
            return entry, None

        return self._record(actor, command.deal, Moment.GET, record)

    def undo(self, actor: Actor, command: c.Undo) -> DealResult:
        """Takes back the actor's latest move (a concession with the get recorded with it, or one entry; see
        `ops.latest_move_by`). The result's entry is the move's last one: `ops.move_ending_with` gives the move."""
        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[Entry, None]:
            return ops.take_back(deal, actor.user_id)[-1], None

        return self._record(actor, command.deal, Moment.UNDO, record)

    def worth(self, actor: Actor, command: c.Worth) -> DealResult:
        """What a free item or terms given without a worth (or with an estimate) is worth, said by the rep; the
        figures and the rules count it from now on, and managers hear if that crosses a limit."""
        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[Entry, None]:
            ops.require_open(deal)
            return ops.state_worth(deal, command.worth, number=command.number), None

        return self._record(actor, command.deal, Moment.WORTH, record, alert_on=_newly_severe)

    def qualify(self, actor: Actor, command: c.Qualify) -> DealResult:
        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[None, None]:
            for fact, value in command.facts.items():
                setattr(deal.qualification, fact, value)
            return None, None

        return self._record(actor, command.deal, Moment.QUALIFY, record)

    def hours(self, actor: Actor, command: c.Hours) -> DealResult:
        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[None, None]:
            ops.add_hours(deal, command.hours)
            return None, None

        return self._record(actor, command.deal, Moment.HOURS, record)

    def flag(self, actor: Actor, command: c.Flag) -> DealResult:
        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[None, None]:
            if command.kind == "ethics":
                deal.ethics_flag = command.text
            elif command.kind == "fit":
                deal.fit_flag = command.text
            else:
                clear_ethics = command.text in ("", "ethics") and deal.ethics_flag is not None
                if clear_ethics:
                    self._access.require_manager(actor, policy, "clear an ethics flag")
                    deal.ethics_flag = None
                if command.text in ("", "fit"):
                    deal.fit_flag = None
            return None, None

        moment = Moment.CLEAR if command.kind == "clear" else Moment.FLAG
        return self._record(actor, command.deal, moment, record)

    def outcome(self, actor: Actor, command: c.Outcome) -> DealResult:
        """Walked, won, lost, or back. A closed deal keeps its final state rather than a verdict; a win below the
        floor alerts the managers (as the floor, the limit it crossed)."""
        below_floor = False

        def record(deal: Deal, policy: Policy, ledger: Ledger) -> tuple[None, None]:
            nonlocal below_floor
            if command.kind == "back":
                ops.come_back(deal, command.price)
            else:
                ops.close(deal, _CLOSING[command.kind][0], price=command.price, note=command.note)
                ended = final_state(deal, ledger)
                below_floor = ended is not None and ended.won_below_floor
            return None, None

        def alert_on(_after: Judgement, _before: Callable[[], Judgement]) -> frozenset[Rule]:
            return frozenset({Rule.FLOOR}) if below_floor else frozenset()

        moment = Moment.BACK if command.kind == "back" else _CLOSING[command.kind][1]
        return self._record(actor, command.deal, moment, record, alert_on=alert_on)

    # Shared flow --------------------------------------------------------------------------------

    def _record(self, actor: Actor, ref: c.DealRef, moment: Moment, record: Recorder, *,
                customer_words: str = "", alert_on: AlertRule | None = None, once: str | None = None) -> DealResult:
        """Read the deal, check who asks, apply one change, judge, then write it with what Slack must see.

        The reading and judging happen without a lock (on SQLite, before the one write lock is taken; on
        PostgreSQL, without locking the deal's row), and the write goes through only if no one saved the deal
        meanwhile; if someone did, the move is read and judged again, the last time locking from the start."""
        for _ in range(_TRIES_BEFORE_LOCKING):
            try:
                return self._record_once(actor, ref, moment, record, customer_words=customer_words,
                                         alert_on=alert_on, once=once, reads_first=True)
            except DealChanged:
                continue
        return self._record_once(actor, ref, moment, record, customer_words=customer_words, alert_on=alert_on,
                                 once=once, reads_first=False)

    def _record_once(self, actor: Actor, ref: c.DealRef, moment: Moment, record: Recorder, *, customer_words: str,
                     alert_on: AlertRule | None, once: str | None, reads_first: bool) -> DealResult:
        with self._uow(actor.team_id, reads_first=reads_first) as uow:
            found = uow.deals.get_in_context(name=ref.name, deal_id=ref.id, lock=uow.locks_rows)
            deal, policy, ext_shared = found.deal, found.policy, found.ext_shared
            self._access.require_owner_or_manager(actor, deal, policy)
            before = Ledger.of(deal)
            entry, what_if = record(deal, policy, before)
            ledger = Ledger.of(deal)  # summed once, after the move, for the rules, the row and the reply
            after = judge(deal, policy, ledger)
            notes = ext_shared is not True and moment in THREAD_NOTES
            waiting = None
            if notes and deal.id is not None:
                waiting = found.waiting_note if found.notes_read else uow.outbox.waiting_note(deal.id)
            advice = None
            if moment in _COACHED:  # before the write: the lines shown are saved with the move
                advice = advise(self._coach, deal, ledger, what_if or after, policy, moment,
                                customer_words=customer_words)
            # On PostgreSQL the writes below are one statement in autocommit, unless a claim or a check comes first.
            uow.write(one_statement=once is None and moment is not Moment.BACK)
            if once is not None and not uow.sent_once.claim(once):
                raise Conflict("That message is already logged.")
            if moment is Moment.BACK and uow.deals.name_is_open(deal.name):
                raise Conflict(f"Another open deal is named `{deal.name}`; close or rename it first.")
            # Before the move: its facts are the deal's now (moves that alert only add entries), its ledger the one
            # summed before.
            alerted = alert_on(after if what_if is None else what_if,
                               lambda: judge(deal, policy, before)) if alert_on else frozenset()
            unalerted: frozenset[Rule] = frozenset()
            with uow.batched():  # on PostgreSQL one statement, sent at the end; each write applies only if the save did
                uow.deals.save(deal, after.verdict, ledger)  # DealChanged if someone saved it since it was read
                try:
                    self._queue(uow, deal, policy, moment, entry, alerted, what_if or after,
                                ext_shared=ext_shared, waiting=waiting)
                except _NoAlertChannel:
                    alerted, unalerted = frozenset(), alerted
            uow.commit()
        return self._result(moment, deal, policy, entry=entry, what_if=what_if, alerted=alerted, judgement=after,
                            unalerted=unalerted, ledger=ledger, customer_words=customer_words, advice=advice)

    def _queue(self, uow: UnitOfWork, deal: Deal, policy: Policy, moment: Moment, entry: Entry | None,
               alerted: frozenset[Rule], judged: Judgement, *, ext_shared: bool | None,
               waiting: WaitingNote | None) -> None:
        """Card refresh, thread note and alert, written in the same transaction as the change."""
        assert deal.id is not None
        if ext_shared is not True:
            uow.outbox.refresh_card(channel=deal.channel_id, deal_id=deal.id)
            note = thread_note(moment, deal, entry) if moment in THREAD_NOTES else None
            if note is not None:
                uow.outbox.add_note(channel=deal.channel_id, deal_id=deal.id, note=note, waiting=waiting)
        channel = policy.alert_channel or self._default_alert_channel
        if not alerted:
            return frozenset()
        if channel is None:
            raise _NoAlertChannel(alerted)
        crossing: dict[str, object] = {}
        if deal.is_open:
            # The alert describes the moment of crossing, so its verdict and reasons are kept as they were. A closed
            # deal (a win below the floor) has no verdict: the alert shows its final state, which stays as it is.
            crossing = {"verdict": judged.verdict.word,
                        "findings": tuple((f.rule.value, f.verdict.word, f.reason) for f in judged.findings)}
        alert = AlertPayload(channel=channel, rules=tuple(sorted(alerted)), seq=entry.seq if entry else None,
                             moment=moment.value, text=entry.text if entry else "", **crossing)
        uow.outbox.add(MessageKind.ALERT, alert, channel=channel, deal_id=deal.id)

    def _result(self, moment: Moment, deal: Deal, policy: Policy, *, entry: Entry | None = None,
                what_if: Judgement | None = None, alerted: frozenset[Rule] = frozenset(),
                unalerted: frozenset[Rule] = frozenset(), customer_words: str = "", question: str = "",
                advice: Advice | None = None, ext_shared: bool = False, judgement: Judgement | None = None,
                ledger: Ledger | None = None) -> DealResult:
        ledger = ledger or Ledger.of(deal)
        judgement = judgement or judge(deal, policy, ledger)
        return DealResult(moment, deal, ledger, judgement, policy, entry=entry, what_if=what_if,
                          advice=advice, alerted=alerted, unalerted=unalerted, ext_shared=ext_shared,
                          customer_words=customer_words, question=question)


class _Unsure(Exception):
    """The words read two ways on this deal: nothing is recorded, the rep chooses."""

    def __init__(self, reading: ToConfirm) -> None:
        super().__init__(reading.words)
        self.reading = reading


class _NoAlertChannel(Exception):
    """Managers should hear of these rules, but no alert channel is set anywhere."""

    def __init__(self, rules: frozenset[Rule]) -> None:
        super().__init__(rules)
        self.rules = rules


def _load(uow: UnitOfWork, ref: c.DealRef, *, lock: bool = False) -> tuple[Deal, Policy, bool | None]:
    """The deal, its workspace's policy and whether its channel is shared, in one query."""
    found = uow.deals.get_in_context(name=ref.name, deal_id=ref.id, lock=lock)
    return found.deal, found.policy, found.ext_shared


def _newly_severe(after: Judgement, before: Callable[[], Judgement]) -> frozenset[Rule]:
    """Rules at ESCALATE or WALK AWAY that this move set off; a rule still firing does not alert again. Judging
    the deal as it was is needed only when some rule is severe now."""
    severe = after.severe_rules()
    return severe - before().severe_rules() if severe else severe
