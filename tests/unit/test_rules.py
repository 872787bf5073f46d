"""PRODUCT.md section 4: the ten walk-away rules, each at its boundary, and the verdict they make together."""

from __future__ import annotations

import pytest
from builders import (
    add_ask,
    add_concession,
    add_get,
    add_reciprocated,
    dollars,
    make_deal,
    what_if_conceded,
)

from bot.domain.deals import close, come_back
from bot.domain.model import ConcessionType, Policy, Stage, Verdict
from bot.domain.rules import Rule, beyond_giving, judge, judge_ask

DEFAULTS = Policy()
CENT = 1


def test_the_default_policy_is_the_contracts() -> None:
    assert DEFAULTS.cap_bp == 2000
    assert DEFAULTS.near_floor_bp == 500
    assert DEFAULTS.unreciprocated == 2
    assert DEFAULTS.max_concessions == 5
    assert DEFAULTS.hourly_cost_cents == dollars(150)
    assert DEFAULTS.time_share_bp == 1000


def test_verdict_words_are_the_four_of_the_contract_ordered_by_severity() -> None:
    assert [v.word for v in sorted(Verdict)] == ["OK", "PUSH BACK", "ESCALATE", "WALK AWAY"]


def test_a_fresh_qualified_deal_well_above_its_floor_is_ok_with_no_rules_fired() -> None:
    judgement = judge(make_deal(), DEFAULTS)
    assert judgement.verdict is Verdict.OK
    assert judgement.findings == ()


# --- floor ----------------------------------------------------------------------------------------


def test_effective_price_at_the_floor_is_not_a_floor_breach() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(90_000))
    add_reciprocated(deal, dollars(10_000))
    assert Rule.FLOOR not in judge(deal, DEFAULTS).rules


def test_floor_breach_is_walk_away() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(90_000))
    add_reciprocated(deal, dollars(10_000) + CENT)
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.WALK_AWAY
    floor = next(f for f in judgement.findings if f.rule is Rule.FLOOR)
    assert floor.verdict is Verdict.WALK_AWAY


def test_a_free_item_that_takes_the_effective_price_below_the_floor_is_walk_away() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(95_000))
    add_reciprocated(deal, dollars(5_000) + CENT, kind=ConcessionType.FREE)
    assert judge(deal, DEFAULTS).verdict is Verdict.WALK_AWAY


def test_near_floor_also_fires_below_the_floor_since_headroom_is_under_the_margin() -> None:
    # Section 4: near floor fires when headroom < near_floor; below the floor headroom is negative.
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(90_000))
    add_reciprocated(deal, dollars(12_000))
    assert {Rule.FLOOR, Rule.NEAR_FLOOR} <= judge(deal, DEFAULTS).rules


# --- ethics and fit -------------------------------------------------------------------------------


def test_an_ethics_flag_is_walk_away_until_cleared() -> None:
    deal = make_deal()
    deal.ethics_flag = "asked for a kickback"
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.WALK_AWAY
    assert judgement.rules == {Rule.ETHICS}
    deal.ethics_flag = None
    assert judge(deal, DEFAULTS).verdict is Verdict.OK


def test_a_poor_fit_flag_is_walk_away() -> None:
    deal = make_deal()
    deal.fit_flag = "needs on-prem, we are SaaS only"
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.WALK_AWAY
    assert judgement.rules == {Rule.FIT}


def test_an_unethical_ask_says_what_was_demanded_and_that_no_deal_is_worth_it() -> None:
    deal = make_deal()
    markers = ("a personal fee for their procurement lead", "backdated paperwork")
    what_if = judge_ask(deal, DEFAULTS, what_if_conceded(deal, dollars(1_000), markers=markers))
    assert what_if.findings[0].rule is Rule.ETHICS
    assert what_if.findings[0].reason == ("They asked for a personal fee for their procurement lead and backdated "
                                          "paperwork: no deal is worth that.")


def test_an_unethical_ask_too_big_to_give_is_walked_away_from_for_the_demand_not_the_price() -> None:
    judgement = beyond_giving(("a kickback",))
    assert judgement.verdict is Verdict.WALK_AWAY
    assert [(f.rule, f.reason) for f in judgement.findings] == [
        (Rule.ETHICS, "They asked for a kickback: no deal is worth that.")]
    assert beyond_giving(()).rules == {Rule.FLOOR}


def test_ask_with_a_kickback_is_walk_away_but_deal_verdict_unchanged() -> None:
    deal = make_deal()
    add_ask(deal, "a 5% kickback to me personally", markers=("a kickback",))
    before = list(deal.entries)
    what_if = judge_ask(deal, DEFAULTS, what_if_conceded(deal, None, markers=("a kickback",)))
    assert what_if.verdict is Verdict.WALK_AWAY
    assert Rule.ETHICS in what_if.rules
    assert judge(deal, DEFAULTS).verdict is Verdict.OK
    assert deal.entries == before


def test_an_ask_is_judged_as_if_conceded_while_the_deal_keeps_its_own_verdict() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    add_reciprocated(deal, dollars(15_000))
    add_ask(deal, "another 10% off", worth_cents=dollars(10_000))
    what_if = judge_ask(deal, DEFAULTS, what_if_conceded(deal, dollars(10_000)))
    assert what_if.verdict is Verdict.ESCALATE  # 25% effective discount if given
    assert Rule.CAP in what_if.rules
    assert judge(deal, DEFAULTS).verdict is Verdict.OK


# --- cap ------------------------------------------------------------------------------------------


def test_an_effective_discount_at_the_cap_is_allowed() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    add_reciprocated(deal, dollars(20_000))
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.OK
    assert judgement.findings == ()


def test_an_effective_discount_over_the_cap_is_escalate() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    add_reciprocated(deal, dollars(20_000) + CENT)
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.ESCALATE
    assert judgement.rules == {Rule.CAP}
    assert judgement.severe_rules() == {Rule.CAP}


def test_the_cap_counts_free_items_and_terms_through_the_effective_price() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    add_reciprocated(deal, dollars(15_000))
    add_reciprocated(deal, dollars(6_000), kind=ConcessionType.TERMS)
    assert judge(deal, DEFAULTS).rules == {Rule.CAP}


def test_a_per_deal_cap_replaces_the_workspace_cap() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000), cap_bp=1000)
    add_reciprocated(deal, dollars(15_000))
    assert judge(deal, DEFAULTS).rules == {Rule.CAP}
    roomy = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000), cap_bp=3000)
    add_reciprocated(roomy, dollars(25_000))
    assert Rule.CAP not in judge(roomy, DEFAULTS).rules


def test_the_workspace_cap_comes_from_its_policy() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    add_reciprocated(deal, dollars(25_000))
    assert judge(deal, Policy(cap_bp=2500)).verdict is Verdict.OK
    assert judge(deal, Policy(cap_bp=2499)).verdict is Verdict.ESCALATE


def test_a_manager_approved_cap_exception_is_ok_until_the_next_concession() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    over = add_reciprocated(deal, dollars(25_000))
    deal.cap_approved_through = over.seq
    approved = judge(deal, DEFAULTS)
    assert approved.verdict is Verdict.OK
    assert [(f.rule, f.verdict, f.approved) for f in approved.findings] == [(Rule.CAP, Verdict.OK, True)]
    assert approved.severe_rules() == frozenset()

    add_reciprocated(deal, dollars(1_000))
    after = judge(deal, DEFAULTS)
    assert after.verdict is Verdict.ESCALATE
    assert [(f.rule, f.verdict, f.approved) for f in after.findings] == [(Rule.CAP, Verdict.ESCALATE, False)]


def test_an_approved_cap_exception_does_not_cover_an_ask_judged_as_if_conceded() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    over = add_reciprocated(deal, dollars(25_000))
    deal.cap_approved_through = over.seq
    assert judge_ask(deal, DEFAULTS, what_if_conceded(deal, dollars(1))).verdict is Verdict.ESCALATE


def test_an_approved_exception_only_turns_the_cap_to_ok_not_the_floor() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(80_000))
    over = add_reciprocated(deal, dollars(25_000))
    deal.cap_approved_through = over.seq
    assert judge(deal, DEFAULTS).verdict is Verdict.WALK_AWAY


# --- near floor -----------------------------------------------------------------------------------


def test_headroom_of_exactly_five_percent_of_list_is_not_near_the_floor() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(85_000))
    add_reciprocated(deal, dollars(10_000))  # headroom 5,000 = 5% of list
    assert judge(deal, DEFAULTS).findings == ()


def test_headroom_under_five_percent_of_list_is_push_back() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(85_000))
    add_reciprocated(deal, dollars(10_000) + CENT)
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.PUSH_BACK
    assert judgement.rules == {Rule.NEAR_FLOOR}


def test_a_floor_set_at_list_is_near_the_floor_from_the_start() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(100_000))
    assert judge(deal, DEFAULTS).rules == {Rule.NEAR_FLOOR}


def test_the_near_floor_margin_comes_from_the_policy() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(85_000))
    add_reciprocated(deal, dollars(12_000))  # headroom 3,000 = 3% of list
    assert Rule.NEAR_FLOOR not in judge(deal, Policy(near_floor_bp=300)).rules
    assert Rule.NEAR_FLOOR in judge(deal, Policy(near_floor_bp=301)).rules


# --- give without get -----------------------------------------------------------------------------


def test_one_concession_without_a_get_is_not_yet_a_run() -> None:
    deal = make_deal()
    add_concession(deal, dollars(2_000))
    assert judge(deal, DEFAULTS).findings == ()


def test_two_concessions_in_a_row_without_a_get_is_push_back() -> None:
    deal = make_deal()
    add_concession(deal, dollars(2_000))
    add_concession(deal, dollars(1_000))
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.PUSH_BACK
    assert judgement.rules == {Rule.GIVE_WITHOUT_GET}


def test_a_get_between_concessions_breaks_the_run() -> None:
    deal = make_deal()
    first = add_concession(deal, dollars(2_000))
    add_get(deal, "case study", reciprocates=first.seq)
    add_concession(deal, dollars(1_000))
    assert Rule.GIVE_WITHOUT_GET not in judge(deal, DEFAULTS).rules


def test_a_get_for_the_latest_concession_clears_give_without_get() -> None:
    deal = make_deal()
    add_concession(deal, dollars(2_000))
    latest = add_concession(deal, dollars(1_000))
    add_get(deal, "3-year term", reciprocates=latest.seq)
    assert Rule.GIVE_WITHOUT_GET not in judge(deal, DEFAULTS).rules


def test_the_unreciprocated_run_length_comes_from_the_policy() -> None:
    deal = make_deal()
    add_concession(deal, dollars(3_000))
    add_concession(deal, dollars(2_000))
    policy = Policy(unreciprocated=3)
    assert Rule.GIVE_WITHOUT_GET not in judge(deal, policy).rules
    add_concession(deal, dollars(1_000))
    assert Rule.GIVE_WITHOUT_GET in judge(deal, policy).rules


# --- creep ----------------------------------------------------------------------------------------


def _reciprocated_steps(count: int):
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(50_000))
    for step in range(count):
        add_reciprocated(deal, dollars(1_000 - step))  # each a little smaller than the one before
    return deal


def test_five_concessions_is_not_creep() -> None:
    assert judge(_reciprocated_steps(5), DEFAULTS).findings == ()


def test_more_than_five_concessions_is_creep_push_back() -> None:
    judgement = judge(_reciprocated_steps(6), DEFAULTS)
    assert judgement.verdict is Verdict.PUSH_BACK
    assert judgement.rules == {Rule.CREEP}


def test_taken_back_concessions_do_not_count_toward_creep() -> None:
    deal = _reciprocated_steps(6)
    deal.entries[-2].taken_back = True  # the sixth concession (its get follows it)
    deal.entries[-1].taken_back = True
    assert Rule.CREEP not in judge(deal, DEFAULTS).rules


def test_the_concession_limit_comes_from_the_policy() -> None:
    assert Rule.CREEP in judge(_reciprocated_steps(4), Policy(max_concessions=3)).rules


# --- growing steps --------------------------------------------------------------------------------


def test_a_concession_the_same_size_as_the_one_before_is_not_growing() -> None:
    deal = make_deal()
    add_reciprocated(deal, dollars(2_000))
    add_reciprocated(deal, dollars(2_000))
    assert judge(deal, DEFAULTS).findings == ()


def test_a_concession_bigger_than_the_one_before_is_growing_steps_push_back() -> None:
    deal = make_deal()
    add_reciprocated(deal, dollars(2_000))
    add_reciprocated(deal, dollars(2_000) + CENT)
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.PUSH_BACK
    assert judgement.rules == {Rule.GROWING_STEPS}


def test_growing_steps_compares_only_the_latest_with_the_one_before() -> None:
    deal = make_deal()
    add_reciprocated(deal, dollars(1_000))
    add_reciprocated(deal, dollars(5_000))
    add_reciprocated(deal, dollars(3_000))
    assert Rule.GROWING_STEPS not in judge(deal, DEFAULTS).rules


def test_a_step_after_a_free_item_of_unknown_worth_is_not_compared_as_if_it_were_zero() -> None:
    # Section 2: a worth that is unknown is never compared as $0.
    deal = make_deal()
    add_concession(deal, None, kind=ConcessionType.FREE, got="case study")
    add_reciprocated(deal, dollars(1_000))
    assert Rule.GROWING_STEPS not in judge(deal, DEFAULTS).rules


def test_a_step_after_a_free_item_of_known_worth_is_compared_with_it() -> None:
    deal = make_deal()
    add_concession(deal, dollars(500), kind=ConcessionType.FREE, got="case study")
    add_reciprocated(deal, dollars(1_000))
    assert Rule.GROWING_STEPS in judge(deal, DEFAULTS).rules


# --- unqualified ----------------------------------------------------------------------------------


def test_a_concession_made_while_unqualified_is_push_back() -> None:
    deal = make_deal(is_qualified=False)
    add_concession(deal, dollars(1_000), unqualified=True, got="case study")
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.PUSH_BACK
    assert judgement.rules == {Rule.UNQUALIFIED}
    assert all(fact in judgement.findings[0].reason for fact in ("needs", "decider", "timeline", "budget"))


def test_an_earlier_unqualified_concession_does_not_fire_once_the_latest_was_qualified() -> None:
    deal = make_deal()
    add_concession(deal, dollars(2_000), unqualified=True, got="case study")
    add_concession(deal, dollars(1_000), unqualified=False, got="logo rights")
    assert judge(deal, DEFAULTS).findings == ()


def test_an_unqualified_deal_with_no_concession_has_no_move_to_judge() -> None:
    assert judge(make_deal(is_qualified=False), DEFAULTS).findings == ()


# --- time -----------------------------------------------------------------------------------------


def test_time_worth_exactly_ten_percent_of_effective_price_is_allowed() -> None:
    deal = make_deal(list_cents=dollars(15_000), floor_cents=dollars(5_000), hours=10)  # 10 h x 150 = 1,500
    assert judge(deal, DEFAULTS).findings == ()


def test_time_worth_over_ten_percent_of_effective_price_is_push_back() -> None:
    deal = make_deal(list_cents=dollars(15_000), floor_cents=dollars(5_000), hours="10.01")
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.PUSH_BACK
    assert judgement.rules == {Rule.TIME}


def test_time_is_measured_against_the_effective_price_not_list() -> None:
    deal = make_deal(list_cents=dollars(20_000), floor_cents=dollars(5_000), hours=10)  # 1,500 of time
    assert Rule.TIME not in judge(deal, DEFAULTS).rules
    # effective 14,999.90, of which 10% is 1,499.99
    add_reciprocated(deal, dollars("5000.10"), kind=ConcessionType.FREE)
    assert Rule.TIME in judge(deal, DEFAULTS).rules


def test_the_hourly_cost_and_time_share_come_from_the_policy() -> None:
    deal = make_deal(list_cents=dollars(15_000), floor_cents=dollars(5_000), hours=10)
    assert Rule.TIME in judge(deal, Policy(hourly_cost_cents=dollars(151))).rules
    assert Rule.TIME in judge(deal, Policy(time_share_bp=999)).rules


# --- the verdict of all rules ---------------------------------------------------------------------


def test_verdict_is_the_most_severe_rule_that_fires() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(70_000), is_qualified=False)
    add_concession(deal, dollars(10_000), unqualified=True)
    add_concession(deal, dollars(15_000), unqualified=True)  # 25% off; headroom 5,000 is exactly 5%
    judgement = judge(deal, DEFAULTS)
    assert judgement.rules == {Rule.CAP, Rule.GIVE_WITHOUT_GET, Rule.GROWING_STEPS, Rule.UNQUALIFIED}
    assert judgement.verdict is Verdict.ESCALATE

    deal.fit_flag = "wrong segment"
    assert judge(deal, DEFAULTS).verdict is Verdict.WALK_AWAY


def _everything_but_the_floor():
    deal = make_deal(
        list_cents=dollars(100_000), floor_cents=dollars(93_000), hours=1_000, is_qualified=False
    )
    for step in range(6):
        add_concession(deal, dollars(1_000 + step), unqualified=True)  # effective 93,985: 985 above floor
    deal.ethics_flag = "asked to backdate"
    deal.fit_flag = "no budget owner"
    return deal


def test_every_rule_that_fires_is_listed_with_one_line_of_why() -> None:
    judgement = judge(_everything_but_the_floor(), Policy(cap_bp=100))
    assert judgement.rules == set(Rule) - {Rule.FLOOR}
    assert judgement.verdict is Verdict.WALK_AWAY
    assert len(judgement.findings) == 9
    assert all(f.reason.strip() and "\n" not in f.reason for f in judgement.findings)
    assert judgement.severe_rules() == {Rule.ETHICS, Rule.FIT, Rule.CAP}


@pytest.mark.parametrize(
    ("rule", "verdict"),
    [
        (Rule.ETHICS, Verdict.WALK_AWAY),
        (Rule.FIT, Verdict.WALK_AWAY),
        (Rule.CAP, Verdict.ESCALATE),
        (Rule.NEAR_FLOOR, Verdict.PUSH_BACK),
        (Rule.GIVE_WITHOUT_GET, Verdict.PUSH_BACK),
        (Rule.CREEP, Verdict.PUSH_BACK),
        (Rule.GROWING_STEPS, Verdict.PUSH_BACK),
        (Rule.UNQUALIFIED, Verdict.PUSH_BACK),
        (Rule.TIME, Verdict.PUSH_BACK),
    ],
)
def test_each_rule_carries_the_verdict_of_the_contract(rule: Rule, verdict: Verdict) -> None:
    findings = {f.rule: f.verdict for f in judge(_everything_but_the_floor(), Policy(cap_bp=100)).findings}
    assert findings[rule] is verdict


def test_the_floor_rule_carries_walk_away() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(99_000))
    add_reciprocated(deal, dollars(2_000))
    findings = {f.rule: f.verdict for f in judge(deal, DEFAULTS).findings}
    assert findings[Rule.FLOOR] is Verdict.WALK_AWAY


# --- closed deals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.WALKED, Stage.WON, Stage.LOST])
def test_rules_judge_open_deals_only_a_closed_deal_is_ok_with_no_rules_fired(stage: Stage) -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(90_000), is_qualified=False)
    add_concession(deal, dollars(5_000))
    add_concession(deal, dollars(8_000))  # below the floor, growing, unreciprocated, unqualified
    assert judge(deal, DEFAULTS).verdict is Verdict.WALK_AWAY
    close(deal, stage, price=None, note="")
    judgement = judge(deal, DEFAULTS)
    assert judgement.verdict is Verdict.OK
    assert judgement.findings == ()


def test_a_walked_deal_that_comes_back_is_judged_again() -> None:
    deal = make_deal(list_cents=dollars(100_000), floor_cents=dollars(90_000))
    add_reciprocated(deal, dollars(12_000))
    close(deal, Stage.WALKED, price=None, note="")
    come_back(deal, None)
    assert judge(deal, DEFAULTS).verdict is Verdict.WALK_AWAY
    assert Rule.FLOOR in judge(deal, DEFAULTS).rules
