"""DealService's rules of access and recording, on a fake unit of work: what each move records, judges and queues."""

from __future__ import annotations

import pytest
from fakes import FakeUnitOfWorkFactory

from bot.coach.offline import OfflineCoach
from bot.coach.principles import load_principles
from bot.commands import types as commands
from bot.domain.errors import Conflict, NotAllowed
from bot.domain.model import EntryKind, Verdict
from bot.domain.money import parse_amount
from bot.domain.rules import Rule
from bot.messages import AlertPayload, MessageKind, NotePayload
from bot.services.access import Access, Actor
from bot.services.deals import DealService
from bot.services.results import DealResult, ToConfirm

TEAM, OTHER_TEAM = "T0TEAM", "T0OTHER"
REP, OTHER_REP, MANAGER = "U0REP", "U0OTHER", "U0BOSS"
DEALS, ALERTS = "C0DEALS", "C0ALERTS"
ACME = commands.DealRef(name="acme")
rep, other_rep, manager = Actor(TEAM, REP, DEALS), Actor(TEAM, OTHER_REP, DEALS), Actor(TEAM, MANAGER, DEALS)


class NoAdmins:
    def is_admin(self, team_id: str, user_id: str) -> bool:
        return False


@pytest.fixture(scope="module")
def coach() -> OfflineCoach:
    return OfflineCoach(load_principles())


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


def service(uow: FakeUnitOfWorkFactory, coach: OfflineCoach, *, alert_channel: str | None = ALERTS) -> DealService:
    return DealService(uow, Access(frozenset({MANAGER}), NoAdmins()), coach,  # type: ignore[arg-type]
                       default_alert_channel=alert_channel)


@pytest.fixture
def deals(uow: FakeUnitOfWorkFactory, coach: OfflineCoach) -> DealService:
    """A $100k deal with a $70k floor, opened by the rep; its opening card is already posted."""
    deals = service(uow, coach)
    deals.open(rep, commands.NewDeal("acme", parse_amount("100k"), parse_amount("70k")))
    for row in uow.db.outbox:
        row.taken = True
    return deals


def concede(deals: DealService, words: str, *, actor: Actor = rep, once: str | None = None) -> DealResult:
    result = deals.concede(actor, commands.Concede(ACME, words), once=once)
    assert isinstance(result, DealResult), result
    return result


def waiting(uow: FakeUnitOfWorkFactory, kind: MessageKind) -> list:
    return [row for row in uow.db.rows(kind) if not row.taken]


def notes(uow: FakeUnitOfWorkFactory) -> list[str | None]:
    return [line.text for row in waiting(uow, MessageKind.NOTE) if isinstance(row.payload, NotePayload)
            for line in row.payload.notes]


# Opening ----------------------------------------------------------------------------------------


def test_opening_a_deal_queues_its_card_unless_its_channel_is_shared_with_another_organisation(coach) -> None:
    uow = FakeUnitOfWorkFactory()
    uow.db.ext_shared[(TEAM, "C0SHARED")] = True
    deals = service(uow, coach)
    deals.open(rep, commands.NewDeal("acme", parse_amount("100k"), parse_amount("70k")))
    deals.open(Actor(TEAM, REP, "C0SHARED"), commands.NewDeal("globex", parse_amount("100k"), parse_amount("70k")))
    assert [row.channel for row in uow.db.rows(MessageKind.CARD)] == [DEALS]


def test_a_second_open_deal_of_the_same_name_is_refused(deals) -> None:
    with pytest.raises(Conflict):
        deals.open(rep, commands.NewDeal("ACME", parse_amount("90k"), parse_amount("60k")))


# Recording a concession -------------------------------------------------------------------------


def test_a_concession_is_recorded_with_its_get_a_card_refresh_and_a_thread_note(deals, uow) -> None:
    result = concede(deals, "5% for a case study")
    assert [(e.kind, e.text) for e in uow.db.deal(1).entries] == [(EntryKind.CONCESSION, "5% off list"),
                                                                  (EntryKind.GET, "a case study")]
    assert result.entry is not None and result.entry.kind is EntryKind.CONCESSION
    # Conceded before qualifying the deal: a push back, not severe enough for the managers.
    assert result.judgement.verdict is Verdict.PUSH_BACK and result.advice is not None
    assert len(waiting(uow, MessageKind.CARD)) == 1
    assert notes(uow) == ["a price concession"]  # the thread never reads a price move's amount
    assert not waiting(uow, MessageKind.ALERT)


def test_the_coachs_lines_shown_are_saved_with_the_move(deals, uow) -> None:
    result = concede(deals, "5% for a case study")
    assert result.advice is not None and uow.db.deal(1).coach_shown == result.deal.coach_shown != ()


def test_a_waiting_card_is_not_queued_twice_and_waiting_notes_merge_into_one_message(deals, uow) -> None:
    concede(deals, "5% for a case study")
    concede(deals, "free onboarding for a logo")
    assert len(waiting(uow, MessageKind.CARD)) == 1
    assert len(waiting(uow, MessageKind.NOTE)) == 1 and len(notes(uow)) == 2


def test_a_note_a_worker_took_meanwhile_is_not_merged_into(deals, uow) -> None:
    concede(deals, "5% for a case study")
    waiting(uow, MessageKind.NOTE)[0].taken = True
    concede(deals, "free onboarding for a logo")
    assert notes(uow) == ["free onboarding"]


def test_a_concession_newly_crossing_a_severe_rule_alerts_the_managers_with_the_verdict_at_crossing(deals, uow):
    result = concede(deals, "price 65k")
    assert Rule.FLOOR in result.alerted and result.judgement.verdict is Verdict.WALK_AWAY
    [alert] = waiting(uow, MessageKind.ALERT)
    assert isinstance(alert.payload, AlertPayload) and alert.channel == ALERTS
    assert Rule.FLOOR in alert.payload.rules and alert.payload.verdict == Verdict.WALK_AWAY.word


def test_a_severe_rule_still_firing_does_not_alert_again(deals, uow) -> None:
    concede(deals, "price 65k")
    result = concede(deals, "free onboarding")
    first, *later = uow.db.rows(MessageKind.ALERT)
    assert Rule.FLOOR not in result.alerted and all(Rule.FLOOR not in row.payload.rules for row in later)
    assert len(later) == (1 if result.alerted else 0)


def test_no_alert_is_queued_without_an_alert_channel_and_the_reply_names_the_unsent_rules(coach, uow) -> None:
    deals = service(uow, coach, alert_channel=None)
    deals.open(rep, commands.NewDeal("acme", parse_amount("100k"), parse_amount("70k")))
    result = concede(deals, "price 65k")
    assert not uow.db.rows(MessageKind.ALERT) and not result.alerted and Rule.FLOOR in result.unalerted
    assert [e.text for e in uow.db.deal(1).entries] and notes(uow), "the move is recorded all the same"


def test_the_policys_alert_channel_comes_before_the_default(deals, uow) -> None:
    from bot.domain.model import Policy

    uow.db.policies[TEAM] = Policy(alert_channel="C0POLICY")
    concede(deals, "price 65k")
    assert [row.channel for row in uow.db.rows(MessageKind.ALERT)] == ["C0POLICY"]


def test_words_the_deal_leaves_uncertain_record_nothing_and_come_back_to_be_confirmed(deals, uow) -> None:
    commits = uow.db.commits
    result = deals.concede(rep, commands.Concede(ACME, "meet them at 90"))
    assert isinstance(result, ToConfirm) and not result.reading.sure and result.token
    assert uow.db.deal(1).entries == [] and uow.db.commits == commits and not waiting(uow, MessageKind.NOTE)


def test_a_once_key_refuses_a_second_click(deals, uow) -> None:
    concede(deals, "5%", once="proposal-1")
    with pytest.raises(Conflict, match="already logged"):
        concede(deals, "5%", once="proposal-1")
    assert len(uow.db.deal(1).entries) == 1 and len(notes(uow)) == 1


# Other moves ------------------------------------------------------------------------------------


def test_an_ask_is_judged_as_if_conceded_and_leaves_the_deals_verdict_and_thread_alone(deals, uow) -> None:
    result = deals.ask(rep, commands.Ask(ACME, "they want price 65k"))
    assert result.entry is not None and result.entry.kind is EntryKind.ASK and result.advice is not None
    assert result.what_if is not None and result.what_if.verdict is Verdict.WALK_AWAY
    assert result.judgement.verdict is Verdict.OK and uow.db.deals[1][3] is Verdict.OK
    assert not notes(uow) and not waiting(uow, MessageKind.ALERT), "only an unethical ask alerts"


def test_an_unethical_ask_alerts_the_managers(deals, uow) -> None:
    result = deals.ask(rep, commands.Ask(ACME, "We'd need a 5% kickback to get this through"))
    assert result.alerted == {Rule.ETHICS}
    assert [row.payload.rules for row in waiting(uow, MessageKind.ALERT)] == [(Rule.ETHICS,)]


def test_a_get_answers_the_latest_unreciprocated_concession(deals, uow) -> None:
    concede(deals, "5%")
    result = deals.record_get(rep, commands.Get(ACME, "a case study"))
    concession, get = uow.db.deal(1).entries
    assert result.entry is not None and get.reciprocates == concession.seq
    assert notes(uow)[-1] == "a case study"


def test_undo_takes_back_the_move_and_tells_the_thread(deals, uow) -> None:
    concede(deals, "5% for a case study")
    result = deals.undo(rep, commands.Undo(ACME))
    assert all(e.taken_back for e in uow.db.deal(1).entries) and result.entry is not None
    assert len(notes(uow)) == 2


def test_a_win_below_the_floor_alerts_as_the_floor(deals, uow) -> None:
    result = deals.outcome(rep, commands.Outcome(ACME, "won", price=parse_amount("60k")))
    assert result.alerted == {Rule.FLOOR}
    [alert] = waiting(uow, MessageKind.ALERT)
    assert alert.payload.verdict is None, "a closed deal's alert shows its final state, not a verdict"


def test_a_win_at_or_above_the_floor_does_not_alert(deals, uow) -> None:
    assert not deals.outcome(rep, commands.Outcome(ACME, "won", price=parse_amount("80k"))).alerted
    assert not uow.db.rows(MessageKind.ALERT)


def test_a_deal_comes_back_only_while_no_other_open_deal_has_its_name(deals, uow) -> None:
    deals.outcome(rep, commands.Outcome(ACME, "walk"))
    deals.open(rep, commands.NewDeal("acme", parse_amount("50k"), parse_amount("40k")))
    with pytest.raises(Conflict, match="Another open deal"):
        deals.outcome(rep, commands.Outcome(commands.DealRef(id=1), "back"))
    assert not uow.db.deal(1).is_open


def test_a_closed_deal_takes_no_concession(deals, uow) -> None:
    deals.outcome(rep, commands.Outcome(ACME, "lost"))
    with pytest.raises(Conflict):
        concede(deals, "5%")


# Who may ---------------------------------------------------------------------------------------


def test_only_the_owner_or_a_manager_records_a_move_on_a_deal(deals, uow) -> None:
    with pytest.raises(NotAllowed):
        concede(deals, "5%", actor=other_rep)
    assert uow.db.deal(1).entries == []
    concede(deals, "5%", actor=manager)
    assert [e.by_user for e in uow.db.deal(1).entries] == [MANAGER]


def test_only_a_manager_clears_an_ethics_flag(deals, uow) -> None:
    deals.flag(rep, commands.Flag(ACME, "ethics", "asked for a kickback"))
    with pytest.raises(NotAllowed):
        deals.flag(rep, commands.Flag(ACME, "clear", "ethics"))
    deals.flag(manager, commands.Flag(ACME, "clear", "ethics"))
    assert uow.db.deal(1).ethics_flag is None


def test_another_workspaces_deal_is_not_found(deals) -> None:
    from bot.domain.errors import NotFound

    with pytest.raises(NotFound):
        concede(deals, "5%", actor=Actor(OTHER_TEAM, REP, DEALS))


# Someone else saved the deal meanwhile ----------------------------------------------------------


def test_a_move_on_a_deal_saved_meanwhile_is_read_and_judged_again(deals, uow) -> None:
    uow.db.reads.clear()
    uow.db.changed_behind = 1
    concede(deals, "5%")
    assert uow.db.reads == [False, False] and len(uow.db.deal(1).entries) == 1


def test_after_two_stale_reads_the_last_try_locks_the_deal_from_the_start(deals, uow) -> None:
    uow.db.reads.clear()
    uow.db.changed_behind = 2
    concede(deals, "5%")
    assert uow.db.reads == [False, False, True] and len(uow.db.deal(1).entries) == 1
    assert len(notes(uow)) == 1, "a try that found the deal changed wrote nothing"
