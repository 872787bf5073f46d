"""Only a deal's owner and the managers change a deal; only managers change the policy, see the team, or decide
on alerts. This covers what tests/integration/test_permissions.py and test_decisions.py leave out: the
remaining mutating subcommands, every policy key, the team views, and every button pressed by the wrong person."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ALERTS, CHANNEL, MANAGER, OTHER_REP, REP, TEAM
from reliability_support import snapshot

from bot.commands.policy import KEYS
from bot.slack.ids import Action
from bot.slack.metadata import DealRefValue, ProposalValue

FLOOR = "61,357"
# A valid value for every policy key, so the only reason to refuse is who asks.
POLICY_VALUES = {
    "cap": "35%", "near_floor": "3%", "unreciprocated": "3", "max_concessions": "9", "hourly_cost": "250",
    "time_share": "15%", "alert_channel": "<#C0MINE|mine>", "managers": f"<@{REP}>", "digest_day": "fri",
    "digest_hour": "7", "timezone": "Europe/Paris", "digest_channel": "<#C0MINE|mine>", "stale_days": "2",
}


def refused(answer, why: str) -> bool:  # noqa: ANN001
    return answer.status == 200 and ":warning:" in answer.text and why in answer.text


@pytest.fixture
def acme(slack, standin, container) -> dict[str, Any]:  # noqa: ANN001
    slack.command("new acme list=100k floor=61,357 customer=Acme Corp", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.deliver()
    with container.uow(TEAM) as uow:
        deal = uow.deals.get(name="acme")
    return {"id": deal.id, "alert": standin.messages(ALERTS)[0]}


def test_every_policy_key_is_changed_by_managers_only(slack, container) -> None:  # noqa: ANN001
    assert set(POLICY_VALUES) == set(KEYS), "a policy key was added: give it a value here"
    before = snapshot(container)
    for user in (REP, OTHER_REP):
        for key, value in POLICY_VALUES.items():
            answer = slack.command(f"policy {key}={value}", user=user)
            assert refused(answer, "Only managers"), (key, answer.text)
        everything = " ".join(f"{k}={v}" for k, v in POLICY_VALUES.items())
        assert refused(slack.command(f"policy {everything}", user=user), "Only managers")
    assert snapshot(container) == before

    # The same values from a manager are taken, every one of them.
    changed = slack.command("policy " + " ".join(f"{k}={v}" for k, v in POLICY_VALUES.items()), user=MANAGER)
    assert ":warning:" not in changed.text, changed.text
    with container.uow(TEAM) as uow:
        policy = uow.workspaces.policy()
    assert (policy.cap_bp, policy.stale_days, policy.timezone, policy.managers) == (3500, 2, "Europe/Paris", (REP,))


def test_only_managers_see_the_whole_teams_deals_and_other_reps_summaries(slack, container, acme) -> None:  # noqa: ANN001
    assert refused(slack.command("list all", user=OTHER_REP), "Only managers")
    for period in ("", " month"):
        answer = slack.command(f"summary <@{REP}>{period}", user=OTHER_REP)
        assert refused(answer, "Only managers"), answer.text
        assert FLOOR not in answer.text
    assert "acme" in slack.command("list all", user=MANAGER).text


@pytest.mark.parametrize(("setup", "command"), [
    ("walk acme too low", "back acme 90k"),
    ("flag acme fit custom build", "flag acme clear fit"),
    ("flag acme fit custom build", "flag acme clear"),
    ("lost acme budget", "back acme"),
    (None, "concede acme terms net-90 worth 5k"),
    (None, "concede acme price 70k for a 3-year term"),
    (None, "qualify acme needs=yes decider=yes timeline=yes budget=yes"),
])
def test_another_rep_cannot_make_any_move_on_someone_elses_deal(slack, container, acme, setup: str | None,  # noqa: ANN001
                                                                  command: str) -> None:
    if setup:
        assert ":warning:" not in slack.command(setup, user=REP).text
    before = snapshot(container)
    answer = slack.command(command, user=OTHER_REP)
    assert refused(answer, "Only"), answer.text
    assert FLOOR not in answer.text and "Headroom" not in answer.text
    assert snapshot(container) == before


def press(slack, acme, action: str, value: str, user: str, *, on_alert: bool = False):  # noqa: ANN001, ANN201
    button = {"action_id": action, "value": value, "text": {"type": "plain_text", "text": "x"}}
    blocks = [{"type": "actions", "elements": [button]}]
    if on_alert:
        alert = acme["alert"]
        message = {"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks}
        return slack.press(blocks, action, user=user, channel=ALERTS, message=message)
    return slack.press(blocks, action, user=user, channel=CHANNEL,
                       response_url=slack.standin.response_url(f"{user}-{action}"))


def alert_value(acme) -> str:  # noqa: ANN001
    return next(e["value"] for b in acme["alert"].blocks if b["type"] == "actions" for e in b["elements"])


@pytest.mark.parametrize("user", [REP, OTHER_REP])
@pytest.mark.parametrize("action", [Action.APPROVE_EXCEPTION, Action.TELL_WALK_AWAY])
def test_only_managers_decide_on_an_alert_whichever_button(slack, standin, container, acme, user: str,  # noqa: ANN001
                                                            action: str) -> None:
    before = snapshot(container, ("deal", "ledger_entry", "decision"))
    assert press(slack, acme, str(action), alert_value(acme), user, on_alert=True).status == 200
    assert snapshot(container, ("deal", "ledger_entry", "decision")) == before
    assert any("Only managers" in m.text for m in standin.ephemerals(user))
    assert not standin.messages(ALERTS)[0].updated, "the alert keeps its buttons"


def test_another_rep_cannot_have_someone_elses_price_chart(slack, standin, container, acme) -> None:  # noqa: ANN001
    assert press(slack, acme, str(Action.PRICE_CHART), DealRefValue(deal_id=acme["id"]).dump(), OTHER_REP).status == 200
    assert standin.uploads() == []
    told = " ".join(m.text for m in standin.ephemerals(OTHER_REP))
    assert "Only" in told and FLOOR not in told


@pytest.mark.parametrize("action", [Action.LOG_ASK, Action.LOG_CONCESSION])
def test_another_rep_cannot_log_a_proposal_on_someone_elses_deal(slack, standin, container, acme,  # noqa: ANN001
                                                                  action: str) -> None:
    value = ProposalValue(deal_id=acme["id"], text="they want 10% off", concession="10%").dump()
    before = snapshot(container, ("deal", "ledger_entry", "decision"))
    assert press(slack, acme, str(action), value, OTHER_REP).status == 200
    assert snapshot(container, ("deal", "ledger_entry", "decision")) == before
    told = " ".join(r.get("text", "") for r in standin.responses(f"{OTHER_REP}-{action}"))
    assert "Only" in told and FLOOR not in told, told

    # The owner's own click is taken: the refusal was about who clicked.
    press(slack, acme, str(action), value, REP)
    with container.uow(TEAM) as uow:
        assert len(uow.deals.get(name="acme").entries) == 2
