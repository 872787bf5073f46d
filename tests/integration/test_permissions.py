"""Who may do what: a deal belongs to its rep and the managers; the policy to the managers; a workspace sees
only its own deals, by name or by `#id`."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import MANAGER, OTHER_REP, OTHER_TEAM, REP, TEAM
from sqlalchemy import text

STATE_TABLES = ("workspace", "deal", "ledger_entry", "outbox")
FLOOR = "83,417"


def snapshot(container) -> dict[str, list[tuple[Any, ...]]]:
    with container.engine.connect() as connection:
        return {table: sorted((tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))), key=repr)
                for table in STATE_TABLES}


def load(container, name: str = "acme", team: str = TEAM):
    with container.uow(team) as uow:
        return uow.deals.get(name=name)


def refused(answer) -> bool:
    return answer.status == 200 and answer.body.get("response_type") == "ephemeral" and ":warning:" in answer.text


@pytest.fixture
def acme(slack, container):
    slack.command("new acme list=120k floor=83,417 customer=Acme Corp", user=REP)
    slack.command("concede acme 5% for a logo", user=REP)
    slack.deliver()
    return load(container)


OTHER_REP_COMMANDS = [
    "concede acme 10%",
    "concede acme free onboarding for a case study",
    "get acme a reference call",
    "undo acme",
    "walk acme",
    "won acme",
    "won acme 100k",
    "lost acme",
    "status acme",
    "ask acme 30% off",
    "coach acme",
    "hours acme 4",
    "qualify acme needs=yes",
    "flag acme fit not our market",
    "flag acme ethics they want a kickback",
]


@pytest.mark.parametrize("command", OTHER_REP_COMMANDS)
def test_another_rep_cannot_touch_or_see_someone_elses_deal(slack, container, acme, command: str) -> None:
    before = snapshot(container)
    answer = slack.command(command, user=OTHER_REP)
    assert refused(answer), answer.text
    assert "Only" in answer.text and f"<@{REP}>" in answer.text and "managers" in answer.text, answer.text
    assert FLOOR not in answer.text and "Headroom" not in answer.text, "a refusal shows no figures"
    assert snapshot(container) == before


@pytest.mark.parametrize("command", ["concede #{id} 10%", "undo #{id}", "status #{id}", "won #{id}"])
def test_another_rep_cannot_reach_someone_elses_deal_by_id_either(slack, container, acme, command: str) -> None:
    before = snapshot(container)
    answer = slack.command(command.format(id=acme.id), user=OTHER_REP)
    assert refused(answer) and "Only" in answer.text, answer.text
    assert FLOOR not in answer.text
    assert snapshot(container) == before


def test_another_reps_list_does_not_include_someone_elses_deal(slack, acme) -> None:
    answer = slack.command("list", user=OTHER_REP)
    assert "acme" not in answer.text
    assert "acme" in slack.command("list", user=REP).text


def test_a_manager_can_see_concede_undo_and_close_a_reps_deal(slack, standin, container, acme) -> None:
    status = slack.command("status acme", user=MANAGER)
    assert not refused(status) and f"Floor ${FLOOR}" in status.text

    conceded = slack.command("concede acme cut 2k for a faster signature", user=MANAGER)
    assert not refused(conceded), conceded.text
    deal = load(container)
    assert [(e.kind.value, e.by_user) for e in deal.entries if e.active] == [
        ("concession", REP), ("get", REP), ("concession", MANAGER), ("get", MANAGER)]

    undone = slack.command("undo acme", user=MANAGER)
    assert not refused(undone), undone.text
    deal = load(container)
    taken_back = [(e.seq, e.by_user) for e in deal.entries if e.taken_back]
    assert taken_back == [(3, MANAGER), (4, MANAGER)], \
        "a manager's undo takes back the manager's own latest move: the concession with its get"

    closed = slack.command("lost acme budget went elsewhere", user=MANAGER)
    assert not refused(closed), closed.text
    assert load(container).stage.value == "lost"


def test_a_manager_can_walk_away_from_a_reps_deal_and_reopen_it(slack, container, acme) -> None:
    assert not refused(slack.command("walk acme", user=MANAGER))
    assert load(container).stage.value == "walked"
    assert not refused(slack.command("back acme", user=MANAGER))
    assert load(container).stage.value == "open"
    assert load(container).owner_id == REP, "the deal stays the rep's"


def test_a_manager_undo_with_nothing_of_their_own_takes_back_nothing(slack, container, acme) -> None:
    before = snapshot(container)
    answer = slack.command("undo acme", user=MANAGER)
    assert refused(answer) and "nothing" in answer.text and "Usage:" in answer.text
    assert snapshot(container) == before


def test_a_rep_undo_skips_a_managers_later_entry(slack, container, acme) -> None:
    slack.command("concede acme free onboarding", user=REP)
    slack.command("concede acme cut 1k", user=MANAGER)
    assert not refused(slack.command("undo acme", user=REP))
    deal = load(container)
    assert [(e.text, e.by_user) for e in deal.entries if e.taken_back] == [("free onboarding", REP)]
    assert any(e.by_user == MANAGER and e.active for e in deal.entries)


# Policy ---------------------------------------------------------------------------------------------------


def test_only_managers_change_the_policy(slack, container) -> None:
    shown = slack.command("policy", user=REP)
    assert not refused(shown) and "`cap` = 20%" in shown.text, "anyone may read the policy"

    before = snapshot(container)
    for command in ("policy cap=35%", "policy managers=<@U0REP>", "policy alert_channel=<#C0MINE>"):
        answer = slack.command(command, user=REP)
        assert refused(answer) and "Only managers" in answer.text, answer.text
    assert snapshot(container) == before
    with container.uow(TEAM) as uow:
        assert uow.workspaces.policy().cap_bp == 2000

    changed = slack.command("policy cap=35% near_floor=3%", user=MANAGER)
    assert not refused(changed) and "Policy updated" in changed.text, changed.text
    with container.uow(TEAM) as uow:
        policy = uow.workspaces.policy()
    assert (policy.cap_bp, policy.near_floor_bp) == (3500, 300)


def test_a_rep_named_manager_by_the_policy_may_then_change_it(slack, container) -> None:
    assert not refused(slack.command(f"policy managers=<@{OTHER_REP}>", user=MANAGER))
    assert not refused(slack.command("policy cap=25%", user=OTHER_REP))
    with container.uow(TEAM) as uow:
        assert uow.workspaces.policy().cap_bp == 2500
    assert refused(slack.command("policy cap=30%", user=REP))


def test_a_manager_policy_change_in_one_workspace_does_not_touch_another(slack, container) -> None:
    slack.command("policy cap=35%", user=MANAGER)
    other = slack.command("policy", user=REP, team_id=OTHER_TEAM)
    assert "`cap` = 20%" in other.text, other.text
    with container.uow(OTHER_TEAM) as uow:
        assert uow.workspaces.policy().cap_bp == 2000


# Per-deal cap ---------------------------------------------------------------------------------------------


def test_a_rep_cannot_set_a_deal_cap_above_the_workspace_cap(slack, container) -> None:
    before = snapshot(container)
    answer = slack.command("new beta list=100k floor=60k cap=30%", user=REP)
    assert refused(answer) and "workspace cap" in answer.text and "Usage:" in answer.text, answer.text
    assert snapshot(container) == before


def test_a_rep_may_set_a_deal_cap_at_or_below_the_workspace_cap(slack, container) -> None:
    assert not refused(slack.command("new beta list=100k floor=60k cap=20%", user=REP))
    assert not refused(slack.command("new gamma list=100k floor=60k cap=12.5%", user=REP))
    assert load(container, "beta").cap_bp == 2000
    assert load(container, "gamma").cap_bp == 1250
    # The tighter cap is the one that judges: 15% off is past 12.5%.
    assert "*ESCALATE*" in slack.command("concede gamma 15%", user=REP).text


def test_a_manager_can_set_a_deal_cap_above_the_workspace_cap(slack, container) -> None:
    answer = slack.command("new beta list=100k floor=60k cap=30%", user=MANAGER)
    assert not refused(answer), answer.text
    assert load(container, "beta").cap_bp == 3000
    # 25% off is over the workspace's 20% but within this deal's 30%: no escalation.
    conceded = slack.command("concede beta 25% for a 3-year term", user=MANAGER)
    assert "ESCALATE" not in conceded.text, conceded.text


def test_a_raised_workspace_cap_lets_a_rep_set_a_higher_deal_cap(slack, container) -> None:
    slack.command("policy cap=35%", user=MANAGER)
    assert not refused(slack.command("new beta list=100k floor=60k cap=30%", user=REP))
    assert load(container, "beta").cap_bp == 3000


# Ethics flag ----------------------------------------------------------------------------------------------


def test_an_ethics_flag_is_cleared_only_by_a_manager(slack, container, acme) -> None:
    flagged = slack.command("flag acme ethics they asked for a side payment", user=REP)
    assert "*WALK AWAY*" in flagged.text
    slack.command("flag acme fit custom work we do not do", user=REP)
    before = snapshot(container)

    for command in ("flag acme clear ethics", "flag acme clear"):
        answer = slack.command(command, user=REP)
        assert refused(answer) and "Only managers" in answer.text, answer.text
    assert snapshot(container) == before
    deal = load(container)
    assert deal.ethics_flag and deal.fit_flag, "a refused clear leaves both flags"
    assert "*WALK AWAY*" in slack.command("status acme", user=REP).text

    assert refused(slack.command("flag acme clear ethics", user=OTHER_REP))

    cleared = slack.command("flag acme clear ethics", user=MANAGER)
    assert not refused(cleared), cleared.text
    deal = load(container)
    assert deal.ethics_flag is None and deal.fit_flag is not None


def test_a_rep_may_clear_their_own_fit_flag(slack, container, acme) -> None:
    slack.command("flag acme fit custom work we do not do", user=REP)
    assert not refused(slack.command("flag acme clear fit", user=REP))
    assert load(container).fit_flag is None


# Another workspace ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    "status acme", "status #{id}", "concede acme 10%", "concede #{id} 10%", "undo #{id}", "get #{id} a logo",
    "won #{id}", "walk acme", "coach #{id}", "flag #{id} clear",
])
def test_another_workspace_sees_nothing_of_this_one(slack, container, acme, command: str) -> None:
    before = snapshot(container)
    for user in (REP, MANAGER):
        answer = slack.command(command.format(id=acme.id), user=user, team_id=OTHER_TEAM)
        assert refused(answer) and "No deal" in answer.text, answer.text
        assert FLOOR not in answer.text and "Acme" not in answer.text
    assert snapshot(container) == before


def test_another_workspaces_lists_and_summaries_show_nothing_of_this_one(slack, container, acme) -> None:
    assert "acme" not in slack.command("list", user=REP, team_id=OTHER_TEAM).text
    listed = slack.command("list all", user=MANAGER, team_id=OTHER_TEAM)
    assert "acme" not in listed.text, listed.text
    summary = slack.command("summary", user=MANAGER, team_id=OTHER_TEAM)
    assert f"<@{REP}>" not in summary.text and "1 deal opened" not in summary.text, summary.text


def test_the_same_deal_name_in_another_workspace_is_a_different_deal(slack, container, acme) -> None:
    opened = slack.command("new acme list=50k floor=40k", user=OTHER_REP, team_id=OTHER_TEAM)
    assert not refused(opened), "the name is unique per workspace, not across them"
    theirs = load(container, team=OTHER_TEAM)
    assert theirs.id != acme.id and theirs.list_cents == 5_000_000

    status = slack.command("status acme", user=OTHER_REP, team_id=OTHER_TEAM)
    assert "$50,000" in status.text and FLOOR not in status.text
    slack.command("concede acme 10%", user=OTHER_REP, team_id=OTHER_TEAM)
    mine = load(container)
    assert [e.worth_cents for e in mine.entries if e.kind.value == "concession"] == [600_000]

    # Our id, asked from their workspace, is not found; their id from ours, neither.
    assert "No deal" in slack.command(f"status #{acme.id}", user=OTHER_REP, team_id=OTHER_TEAM).text
    assert "No deal" in slack.command(f"status #{theirs.id}", user=MANAGER).text
