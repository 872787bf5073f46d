"""The deal use cases behind `/deal`: open, judge, record moves, take them back, close; one commit each."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from bot.coach.types import Advice, Coach
from bot.commands import types as commands
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.domain import deals as domain
from bot.domain.concession_text import MAX_TEXT_CHARS, free_text
from bot.domain.errors import Conflict, InputError
from bot.domain.ethics import ethics_markers
from bot.domain.ledger import Ledger
from bot.domain.model import DEFAULT_TERM_MONTHS, Deal, Entry, EntryKind, Policy, Stage
from bot.domain.reader import read_ask, read_concession, terms_of
from bot.domain.rules import beyond_giving, judge, judge_ask
from bot.messages import CardPayload, ChartPayload, MessageKind
from bot.services.access import Access, Actor
from bot.services.coaching import advise
from bot.services.recording import Move, Recorded, Recorder, newly_severe, unethical_ask, won_below_floor
from bot.services.results import GIVES_PER_PAGE, DealResult, MoveKind, ToConfirm

# A status's first page reads this many newest entries: its gives with their gets, and room for asks between them.
STATUS_ENTRIES = 3 * GIVES_PER_PAGE

_CLOSING = {"walk": (Stage.WALKED, MoveKind.WALK), "won": (Stage.WON, MoveKind.WON),
            "lost": (Stage.LOST, MoveKind.LOST)}


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
        self._clock = clock
        self._recorder = Recorder(uow, access, coach, default_alert_channel=default_alert_channel)

    # Reading ------------------------------------------------------------------------------------

    def status(self, actor: Actor, command: commands.Status) -> DealResult:
        with self._uow(actor.team_id, read_only=True) as uow:
            # The first page shows the latest gives: the running figures and the latest entries are enough, unless
            # asks between them pushed some of those gives out of the entries read.
            deal, policy, _ = _load(uow, command.deal, newest=STATUS_ENTRIES if command.page == 1 else None)
            ledger = Ledger.of(deal)
            if not ledger.has_latest_gives(GIVES_PER_PAGE):
                deal, policy, _ = _load(uow, command.deal)
                ledger = Ledger.of(deal)
            self._access.require_owner_or_manager(actor, deal, policy, "see the figures of")
        return self._result(MoveKind.STATUS, deal, policy, page=command.page, ledger=ledger)

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

    def open(self, actor: Actor, command: commands.NewDeal, *, response_url: str | None = None) -> DealResult:
        with self._uow(actor.team_id) as uow:
            uow.workspaces.ensure()
            policy = uow.workspaces.policy()
            if uow.deals.name_is_open(command.name):
                raise Conflict(f"A deal named `{command.name}` is already open. Pick another name.", field="name")
            by_manager = command.cap_bp is not None and self._access.is_manager(actor, policy)
            deal = domain.new_deal(
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
            advice = advise(self._coach, deal, Ledger.of(deal), judgement, policy, MoveKind.OPENED)
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
        return self._result(MoveKind.OPENED, deal, policy, ext_shared=ext_shared, advice=advice)

    # Recording moves ----------------------------------------------------------------------------

    def ask(self, actor: Actor, command: commands.Ask, *, once: str | None = None) -> DealResult:
        """Records the ask and judges it as if conceded; the deal's own verdict does not change.
        `once`: a key this move may be recorded under only once (a proposal's buttons)."""
        markers = ethics_markers(command.text)

        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
            domain.require_open(deal)
            spec = read_ask(command.text, terms_of(deal, ledger))
            ask = Entry(
                seq=deal.next_seq(), kind=EntryKind.ASK, by_user=actor.user_id, at=self._clock(),
                text=command.text, concession_type=spec.type, percent_bp=spec.percent_bp,
                ethics_markers=markers,
            )
            try:
                as_given = domain.concession_entry(deal, spec, by=actor.user_id, at=ask.at, ledger=ledger)
                ask.worth_cents = as_given.worth_cents
                what_if = judge_ask(deal, policy, dataclasses.replace(as_given, ethics_markers=markers))
            except InputError:
                what_if = beyond_giving(markers)
            deal.entries.append(ask)
            return Recorded(ask, what_if)

        return self._record(actor, command.deal, Move(MoveKind.ASK, change, alert_on=unethical_ask,
                                                      customer_words=command.text, once=once))

    def concede(self, actor: Actor, command: commands.Concede, *, once: str | None = None) -> DealResult | ToConfirm:
        """Records the concession its words name, read against the deal's prices; a reading the deal leaves
        uncertain (a bare figure that could be a price or a cut, "at 90" on a $100k deal) records nothing and
        comes back to be confirmed with one click."""
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded | ToConfirm:
            domain.require_open(deal)
            reading = read_concession(command.words, terms_of(deal, ledger))
            if not reading.sure:
                return ToConfirm(deal, reading, command.words, uuid.uuid4().hex[:16])
            at = self._clock()
            entry = domain.concession_entry(deal, reading.spec, by=actor.user_id, at=at, ledger=ledger)
            deal.entries.append(entry)
            if reading.get:
                get = free_text(reading.get, "the get", MAX_TEXT_CHARS)
                deal.entries.append(domain.get_entry(deal, get, None, by=actor.user_id, at=at, answering=entry))
            return Recorded(entry)

        return self._recorder.record(actor, command.deal, Move(MoveKind.CONCESSION, change, alert_on=newly_severe,
                                                               once=once))

    def record_get(self, actor: Actor, command: commands.Get) -> DealResult:
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
            domain.require_open(deal)
            entry = domain.get_entry(deal, command.text, command.worth, by=actor.user_id, at=self._clock(),
                                  answering=ledger.latest_unreciprocated)
            deal.entries.append(entry)
            return Recorded(entry)

        return self._record(actor, command.deal, Move(MoveKind.GET, change))

    def undo(self, actor: Actor, command: commands.Undo) -> DealResult:
        """Takes back the actor's latest move (a concession with the get recorded with it, or one entry; see
        `domain.latest_move_by`). The result's entry is the move's last one: `domain.move_ending_with` gives the
        move."""
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
            return Recorded(domain.take_back(deal, actor.user_id)[-1])

        return self._record(actor, command.deal, Move(MoveKind.UNDO, change, whole_ledger=True))

    def worth(self, actor: Actor, command: commands.Worth) -> DealResult:
        """What a free item or terms given without a worth (or with an estimate) is worth, said by the rep; the
        figures and the rules count it from now on, and managers hear if that crosses a limit."""
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
            domain.require_open(deal)
            return Recorded(domain.state_worth(deal, command.worth, number=command.number))

        return self._record(actor, command.deal, Move(MoveKind.WORTH, change, alert_on=newly_severe,
                                                      whole_ledger=True))

    def qualify(self, actor: Actor, command: commands.Qualify) -> DealResult:
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
            for fact, value in command.facts.items():
                setattr(deal.qualification, fact, value)
            return Recorded()

        return self._record(actor, command.deal, Move(MoveKind.QUALIFY, change))

    def hours(self, actor: Actor, command: commands.Hours) -> DealResult:
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
            domain.add_hours(deal, command.hours)
            return Recorded()

        return self._record(actor, command.deal, Move(MoveKind.HOURS, change))

    def flag(self, actor: Actor, command: commands.Flag) -> DealResult:
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
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
            return Recorded()

        moment = MoveKind.CLEAR if command.kind == "clear" else MoveKind.FLAG
        return self._record(actor, command.deal, Move(moment, change))

    def outcome(self, actor: Actor, command: commands.Outcome) -> DealResult:
        """Walked, won, lost, or back. A closed deal keeps its final state rather than a verdict; a win below the
        floor alerts the managers (as the floor, the limit it crossed)."""
        def change(deal: Deal, policy: Policy, ledger: Ledger) -> Recorded:
            if command.kind == "back":
                domain.come_back(deal, command.price)
            else:
                domain.close(deal, _CLOSING[command.kind][0], price=command.price, note=command.note)
            return Recorded()

        if command.kind == "back":
            return self._record(actor, command.deal, Move(MoveKind.BACK, change))
        return self._record(actor, command.deal, Move(_CLOSING[command.kind][1], change, alert_on=won_below_floor))

    def _record(self, actor: Actor, ref: commands.DealRef, move: Move) -> DealResult:
        """A move whose change always records (only a concession's words can leave it to be confirmed)."""
        result = self._recorder.record(actor, ref, move)
        assert isinstance(result, DealResult), "only a concession comes back to be confirmed"
        return result

    # Shared flow --------------------------------------------------------------------------------

    def _result(self, moment: MoveKind, deal: Deal, policy: Policy, *, advice: Advice | None = None,
                ext_shared: bool = False, page: int = 1, ledger: Ledger | None = None) -> DealResult:
        """The deal as it stands, judged: a status, or a deal just opened."""
        ledger = ledger or Ledger.of(deal)
        return DealResult(moment, deal, ledger, judge(deal, policy, ledger), policy, advice=advice,
                          ext_shared=ext_shared, page=page)


def _load(uow: UnitOfWork, ref: commands.DealRef, *, newest: int | None = None) -> tuple[Deal, Policy, bool | None]:
    """The deal, its workspace's policy and whether its channel is shared, in one query; with its running figures
    and `newest` entries, or (None) its whole ledger."""
    if newest is None:
        found = uow.deals.get_in_context(name=ref.name, deal_id=ref.id)
    else:
        found = uow.deals.get_in_context(name=ref.name, deal_id=ref.id, latest_only=True, newest=newest)
    return found.deal, found.policy, found.ext_shared
