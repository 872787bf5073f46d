"""PRODUCT.md sections 2 and 3: what can happen to a deal, and every input it refuses."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from builders import (
    NOW,
    OTHER_REP,
    REP,
    add_ask,
    add_concession,
    add_get,
    dollars,
    make_deal,
    percent,
    record,
)

from bot.domain.deals import (
    ConcessionSpec,
    add_hours,
    close,
    come_back,
    concession_entry,
    get_entry,
    latest_move_by,
    move_ending_with,
    new_deal,
    recorded_together,
    require_open,
    state_worth,
    take_back,
)
from bot.domain.errors import Conflict, DealCoachError, InputError
from bot.domain.ledger import Ledger
from bot.domain.model import ConcessionType, EntryKind, Policy, Stage
from bot.domain.money import Amount


def _open(
    list_: Amount = Amount(dollars(120_000)),
    floor: Amount = Amount(dollars(90_000)),
    target: Amount | None = None,
    cap_bp: int | None = None,
    *,
    by_manager: bool = False,
    policy: Policy | None = None,
):
    return new_deal(
        team_id="T0TEAM001",
        name="acme",
        owner_id=REP,
        channel_id="C0DEALS01",
        list_price=list_,
        floor=floor,
        target=target,
        cap_bp=cap_bp,
        customer="Acme Corp",
        policy=policy or Policy(),
        by_manager=by_manager,
        at=NOW,
    )


def _cut(cents: int, currency: str | None = None) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.CUT, amount=Amount(cents, currency))


def _price(cents: int, currency: str | None = None) -> ConcessionSpec:
    return ConcessionSpec(ConcessionType.PRICE, amount=Amount(cents, currency))


def _free(worth_cents: int | None, currency: str | None = None) -> ConcessionSpec:
    worth = Amount(worth_cents, currency) if worth_cents is not None else None
    return ConcessionSpec(ConcessionType.FREE, text="onboarding", worth=worth)


# --- opening a deal -------------------------------------------------------------------------------


def test_a_new_deal_is_open_at_list_with_its_floor_and_target() -> None:
    deal = _open(target=Amount(dollars(110_000)))
    assert deal.stage is Stage.OPEN
    assert deal.list_cents == dollars(120_000)
    assert deal.floor_cents == dollars(90_000)
    assert deal.target_cents == dollars(110_000)
    assert deal.customer == "Acme Corp"
    assert deal.entries == []


def test_floor_above_list_is_an_error() -> None:
    with pytest.raises(InputError, match="floor"):
        _open(list_=Amount(dollars(100_000)), floor=Amount(dollars(100_000) + 1))


def test_floor_at_list_is_allowed() -> None:
    deal = _open(list_=Amount(dollars(100_000)), floor=Amount(dollars(100_000)))
    assert deal.floor_cents == dollars(100_000)


def test_target_below_floor_is_an_error() -> None:
    with pytest.raises(InputError, match="target"):
        _open(floor=Amount(dollars(90_000)), target=Amount(dollars(90_000) - 1))


def test_target_at_floor_is_allowed() -> None:
    deal = _open(floor=Amount(dollars(90_000)), target=Amount(dollars(90_000)))
    assert deal.target_cents == dollars(90_000)


def test_target_above_list_is_an_error() -> None:
    with pytest.raises(InputError, match="target"):
        _open(list_=Amount(dollars(120_000)), target=Amount(dollars(120_000) + 1))


def test_a_deal_without_a_currency_symbol_is_in_usd() -> None:
    assert _open().currency == "USD"


def test_the_symbol_used_when_opening_sets_the_deals_currency() -> None:
    assert _open(list_=Amount(dollars(95_000), "EUR"), floor=Amount(dollars(80_000))).currency == "EUR"


def test_two_currencies_when_opening_is_an_error() -> None:
    with pytest.raises(InputError, match="currency"):
        _open(list_=Amount(dollars(95_000), "EUR"), floor=Amount(dollars(80_000), "USD"))


def test_a_rep_may_set_a_deal_cap_at_or_below_the_workspace_cap() -> None:
    assert _open(cap_bp=2000).cap_bp == 2000
    assert _open(cap_bp=1500).cap_bp == 1500


def test_a_rep_may_not_set_a_deal_cap_above_the_workspace_cap() -> None:
    with pytest.raises(InputError, match="cap"):
        _open(cap_bp=2001)


def test_a_manager_may_set_a_deal_cap_above_the_workspace_cap() -> None:
    assert _open(cap_bp=3000, by_manager=True).cap_bp == 3000


def test_the_workspace_cap_the_deal_cap_is_checked_against_comes_from_policy() -> None:
    assert _open(cap_bp=2500, policy=Policy(cap_bp=3000)).cap_bp == 2500


# --- concessions ----------------------------------------------------------------------------------


def test_a_concession_is_recorded_with_its_worth_in_money_and_by_whom() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    entry = concession_entry(deal, percent(1250), by=REP, at=NOW)
    assert entry.kind is EntryKind.CONCESSION
    assert entry.concession_type is ConcessionType.PERCENT
    assert entry.worth_cents == dollars(15_000)
    assert entry.percent_bp == 1250
    assert entry.by_user == REP
    assert entry.seq == 1
    assert deal.entries == []  # the caller records it


def test_a_concession_that_takes_the_price_to_zero_is_an_error() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(1))
    with pytest.raises(InputError, match="zero"):
        concession_entry(deal, _cut(dollars(100_000)), by=REP, at=NOW)
    with pytest.raises(InputError, match="zero"):
        concession_entry(deal, percent(10_000), by=REP, at=NOW)


def test_a_concession_that_takes_the_price_below_zero_is_an_error() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(1))
    record(deal, percent(6000))
    with pytest.raises(InputError, match="zero"):
        concession_entry(deal, percent(5000), by=REP, at=NOW)
    with pytest.raises(InputError, match="zero"):
        concession_entry(deal, _cut(dollars(50_000)), by=REP, at=NOW)


def test_a_free_item_worth_the_whole_effective_price_is_an_error() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(1))
    record(deal, _cut(dollars(40_000)))
    with pytest.raises(InputError, match="zero"):
        concession_entry(deal, _free(dollars(60_000)), by=REP, at=NOW)
    almost = concession_entry(deal, _free(dollars(60_000) - 1), by=REP, at=NOW)
    assert almost.worth_cents == dollars(60_000) - 1


def test_a_concession_leaving_one_cent_is_allowed() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(1))
    entry = concession_entry(deal, _cut(dollars(100_000) - 1), by=REP, at=NOW)
    assert entry.worth_cents == dollars(100_000) - 1


def test_price_not_below_net_is_an_error() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    record(deal, percent(1000))  # net 108,000
    with pytest.raises(InputError, match="not below the net price"):
        concession_entry(deal, _price(dollars(108_000)), by=REP, at=NOW)
    with pytest.raises(InputError, match="not below the net price"):
        concession_entry(deal, _price(dollars(115_000)), by=REP, at=NOW)


def test_price_one_cent_below_net_is_a_concession_worth_one_cent() -> None:
    deal = make_deal(list_cents=dollars(120_000))
    assert concession_entry(deal, _price(dollars(120_000) - 1), by=REP, at=NOW).worth_cents == 1


def test_free_and_terms_without_a_worth_are_recorded_without_one() -> None:
    deal = make_deal()
    entry = concession_entry(deal, ConcessionSpec(ConcessionType.TERMS, text="net 60"), by=REP, at=NOW)
    assert entry.worth_cents is None
    assert entry.worth == 0
    assert "net 60" in entry.text


def test_another_currency_later_is_an_error() -> None:
    deal = make_deal(currency="USD")
    with pytest.raises(InputError, match="EUR"):
        concession_entry(deal, _cut(dollars(5_000), "EUR"), by=REP, at=NOW)
    with pytest.raises(InputError, match="EUR"):
        concession_entry(deal, _free(dollars(5_000), "EUR"), by=REP, at=NOW)
    with pytest.raises(InputError, match="EUR"):
        concession_entry(deal, _price(dollars(90_000), "EUR"), by=REP, at=NOW)


def test_the_deals_own_symbol_or_none_later_is_fine() -> None:
    deal = make_deal(currency="EUR")
    assert concession_entry(deal, _cut(dollars(5_000), "EUR"), by=REP, at=NOW).worth_cents == dollars(5_000)
    assert concession_entry(deal, _cut(dollars(5_000)), by=REP, at=NOW).worth_cents == dollars(5_000)


def test_a_concession_made_before_the_deal_is_qualified_is_marked_unqualified() -> None:
    assert concession_entry(make_deal(is_qualified=False), percent(500), by=REP, at=NOW).unqualified is True
    assert concession_entry(make_deal(is_qualified=True), percent(500), by=REP, at=NOW).unqualified is False


def test_a_qualification_fact_answered_no_is_not_confirmed() -> None:
    deal = make_deal()
    deal.qualification.budget = False
    assert concession_entry(deal, percent(500), by=REP, at=NOW).unqualified is True


# --- gets -----------------------------------------------------------------------------------------


def test_a_get_answers_the_latest_unreciprocated_concession() -> None:
    deal = make_deal()
    first = add_concession(deal, dollars(3_000))
    second = add_concession(deal, dollars(2_000))
    add_get(deal, "logo rights", reciprocates=second.seq)
    get = get_entry(deal, "a case study", Amount(dollars(1_000)), by=REP, at=NOW)
    assert get.kind is EntryKind.GET
    assert get.reciprocates == first.seq
    assert get.worth_cents == dollars(1_000)
    assert get.text == "a case study"


def test_a_get_with_no_unreciprocated_concession_is_an_error() -> None:
    deal = make_deal()
    with pytest.raises(DealCoachError):
        get_entry(deal, "a case study", None, by=REP, at=NOW)
    add_concession(deal, dollars(1_000), got="logo rights")
    with pytest.raises(DealCoachError):
        get_entry(deal, "a case study", None, by=REP, at=NOW)


def test_an_ask_is_not_a_concession_a_get_can_answer() -> None:
    deal = make_deal()
    add_ask(deal, "free onboarding")
    with pytest.raises(DealCoachError):
        get_entry(deal, "a case study", None, by=REP, at=NOW)


def test_a_get_worth_in_another_currency_is_an_error() -> None:
    deal = make_deal(currency="USD")
    add_concession(deal, dollars(1_000))
    with pytest.raises(InputError, match="EUR"):
        get_entry(deal, "a case study", Amount(dollars(1_000), "EUR"), by=REP, at=NOW)


# --- undo -----------------------------------------------------------------------------------------

LATER = NOW + timedelta(minutes=3)


def test_undo_takes_the_users_latest_move() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000))
    latest = add_ask(deal, "net 90")
    add_concession(deal, dollars(2_000), by=OTHER_REP)
    assert latest_move_by(deal, REP) == (latest,)


def test_undo_after_an_undo_takes_the_move_before() -> None:
    deal = make_deal()
    first = add_concession(deal, dollars(3_000))
    second = add_concession(deal, dollars(2_000))
    second.taken_back = True
    assert latest_move_by(deal, REP) == (first,)


def test_undo_with_nothing_of_yours_is_an_error() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000), by=OTHER_REP)
    with pytest.raises(DealCoachError):
        latest_move_by(deal, REP)


def test_undo_takes_back_a_concession_together_with_the_get_recorded_with_it() -> None:
    deal = make_deal(list_cents=dollars(100_000))
    conceded = record(deal, percent(500))
    got = get_entry(deal, "a case study", None, by=REP, at=NOW, answering=conceded)
    deal.entries.append(got)

    assert take_back(deal, REP) == (conceded, got)
    assert conceded.taken_back and got.taken_back
    assert conceded.taken_back_by == got.taken_back_by == REP
    assert len(deal.entries) == 2, "both stay in the history"
    ledger = Ledger.of(deal)
    assert ledger.net_cents == dollars(100_000) and ledger.gives == ()


def test_a_get_logged_later_is_a_move_of_its_own_even_right_after_its_concession() -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(3_000))
    got = add_get(deal, "logo rights", reciprocates=conceded.seq, at=LATER)

    assert take_back(deal, REP) == (got,)
    assert conceded.active, "the concession stands, with nothing in return again"
    assert Ledger.of(deal).latest_unreciprocated is conceded
    assert take_back(deal, REP) == (conceded,), "the next undo takes the concession"


def test_a_get_is_recorded_with_its_concession_only_if_it_follows_it_by_the_same_author_at_the_same_moment(
) -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(3_000))
    same_move = add_get(deal, "logo rights", reciprocates=conceded.seq)
    assert recorded_together(conceded, same_move)
    assert not recorded_together(conceded, add_get(deal, "x", reciprocates=conceded.seq, at=LATER))
    assert not recorded_together(conceded, add_get(deal, "y", reciprocates=conceded.seq, by=OTHER_REP))
    later_seq = add_get(deal, "z", reciprocates=conceded.seq)
    assert not recorded_together(conceded, later_seq), "not right after the concession"


def test_undo_takes_back_only_the_latest_standalone_ask() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000), got="logo rights")
    ask = add_ask(deal, "another 10%")
    assert take_back(deal, REP) == (ask,)
    assert [e.active for e in deal.entries] == [True, True, False]


def test_the_move_ending_with_a_get_recorded_with_its_concession_is_both_and_anything_else_is_itself() -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(3_000), got="logo rights")
    got = deal.entries[-1]
    alone = add_concession(deal, dollars(2_000))
    later = add_get(deal, "a case study", reciprocates=alone.seq, at=LATER)
    assert move_ending_with(deal, got) == (conceded, got)
    assert move_ending_with(deal, conceded) == (conceded,)
    assert move_ending_with(deal, later) == (later,)


def test_an_undone_concession_no_longer_counts_but_stays_in_the_history() -> None:
    deal = make_deal(list_cents=dollars(100_000))
    record(deal, _cut(dollars(5_000)))
    take_back(deal, REP)
    assert len(deal.entries) == 1
    assert Ledger.of(deal).net_cents == dollars(100_000)


def test_undo_refuses_a_concession_whose_get_someone_else_logged_and_says_who_can_take_it_back() -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(3_000))
    add_get(deal, "logo rights", reciprocates=conceded.seq, by=OTHER_REP, at=LATER)
    with pytest.raises(Conflict, match=f"<@{OTHER_REP}>.*`/deal undo acme`"):
        take_back(deal, REP)
    assert all(e.active for e in deal.entries), "nothing taken back"


def test_once_the_other_person_takes_their_get_back_the_concession_can_be_undone() -> None:
    deal = make_deal()
    conceded = add_concession(deal, dollars(3_000))
    got = add_get(deal, "logo rights", reciprocates=conceded.seq, by=OTHER_REP, at=LATER)
    assert take_back(deal, OTHER_REP) == (got,)
    assert take_back(deal, REP) == (conceded,)


def test_undo_on_a_closed_deal_is_refused() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000))
    close(deal, Stage.WON, price=None, note="")
    with pytest.raises(Conflict, match="won"):
        take_back(deal, REP)
    assert deal.entries[0].active


# --- hours and outcomes ---------------------------------------------------------------------------


def test_hours_add_up() -> None:
    deal = make_deal()
    add_hours(deal, Decimal("2.5"))
    add_hours(deal, Decimal("4"))
    assert deal.hours == Decimal("6.5")


@pytest.mark.parametrize("hours", ["0", "-1", "1000.01"])
def test_hours_must_be_positive_and_sane(hours: str) -> None:
    deal = make_deal()
    with pytest.raises(InputError):
        add_hours(deal, Decimal(hours))
    assert deal.hours == 0


def test_a_won_deal_records_its_price_and_is_no_longer_open() -> None:
    deal = make_deal()
    close(deal, Stage.WON, price=Amount(dollars(95_000), "USD"), note="")
    assert deal.stage is Stage.WON
    assert deal.outcome_cents == dollars(95_000)
    assert not deal.is_open


def test_a_closed_deal_cannot_be_closed_again() -> None:
    deal = make_deal()
    close(deal, Stage.LOST, price=None, note="went with a competitor")
    with pytest.raises(Conflict):
        close(deal, Stage.WON, price=None, note="")


def test_a_won_price_in_another_currency_is_an_error() -> None:
    deal = make_deal(currency="USD")
    with pytest.raises(InputError):
        close(deal, Stage.WON, price=Amount(dollars(95_000), "EUR"), note="")
    assert deal.is_open


def test_back_reopens_a_walked_deal_and_marks_that_the_customer_came_back() -> None:
    deal = make_deal()
    close(deal, Stage.WALKED, price=None, note="below floor")
    come_back(deal, Amount(dollars(98_000)))
    assert deal.stage is Stage.OPEN
    assert deal.came_back is True
    assert deal.outcome_cents == dollars(98_000)


def test_back_is_only_for_a_deal_you_walked_away_from() -> None:
    with pytest.raises(Conflict):
        come_back(make_deal(), None)
    lost = make_deal()
    close(lost, Stage.LOST, price=None, note="")
    with pytest.raises(Conflict):
        come_back(lost, None)


def test_a_move_on_a_walked_deal_is_refused_with_the_way_back_and_on_a_won_deal_for_good() -> None:
    walked, won = make_deal(), make_deal()
    close(walked, Stage.WALKED, price=None, note="")
    close(won, Stage.WON, price=None, note="")
    with pytest.raises(Conflict, match="`/deal back acme` reopens it"):
        require_open(walked)
    with pytest.raises(Conflict, match=r"closed \(won\)"):
        require_open(won)


def test_a_stated_worth_replaces_an_unknown_one_or_an_estimate_the_latest_first() -> None:

    deal = make_deal()
    for spec in (ConcessionSpec(ConcessionType.FREE, text="onboarding"),
                 ConcessionSpec(ConcessionType.FREE, text="1 month", months=1)):
        deal.entries.append(concession_entry(deal, spec, by="U1", at=NOW))
    assert deal.entries[1].worth_estimated
    assert state_worth(deal, Amount(200_000)) is deal.entries[1]
    assert (deal.entries[1].worth_cents, deal.entries[1].worth_estimated) == (200_000, False)
    assert state_worth(deal, Amount(300_000)) is deal.entries[0]


def test_a_price_move_takes_no_stated_worth_and_a_missing_give_is_named() -> None:

    deal = make_deal()
    deal.entries.append(concession_entry(deal, ConcessionSpec(ConcessionType.PERCENT, percent_bp=500), by="U1",
                                         at=NOW))
    with pytest.raises(InputError, match="only free items and terms"):
        state_worth(deal, Amount(100), number=1)
    with pytest.raises(InputError, match="no number 2"):
        state_worth(deal, Amount(100), number=2)
