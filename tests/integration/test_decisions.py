"""Managers decide on alerts in Slack: only their clicks count, once, recorded, shown without the floor."""

from __future__ import annotations

from conftest import ALERTS, CHANNEL, MANAGER, REP
from sqlalchemy import text

from bot.slack.ids import Action


def alert_with_buttons(slack, standin):  # noqa: ANN001, ANN201 - test helper
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("qualify acme needs=yes decider=yes timeline=yes budget=yes", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.deliver()
    alerts = standin.messages(ALERTS)
    assert len(alerts) == 1
    return alerts[0]


def click(slack, alert, action: Action, *, user: str):  # noqa: ANN001, ANN201 - test helper
    """Presses `action` on the posted alert."""
    message = {"type": "message", "ts": alert.ts, "text": alert.text, "blocks": alert.blocks}
    return slack.press(alert.blocks, action, user=user, channel=ALERTS, message=message)


def decisions(container) -> list[tuple]:  # noqa: ANN001
    with container.engine.connect() as connection:
        return list(connection.execute(text("SELECT kind, by_user, seq FROM decision")))


def test_an_alert_past_the_cap_offers_approval_and_walking_away(slack, standin) -> None:
    alert = alert_with_buttons(slack, standin)
    ids = [e["action_id"] for b in alert.blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == [Action.APPROVE_EXCEPTION, Action.TELL_WALK_AWAY]


def test_a_managers_approval_turns_the_cap_escalate_into_ok_until_the_next_concession(
        slack, standin, container) -> None:
    alert = alert_with_buttons(slack, standin)
    assert click(slack, alert, Action.APPROVE_EXCEPTION, user=MANAGER).status == 200
    assert decisions(container) == [("approve", MANAGER, 1)]
    status = slack.command("status acme", user=REP)
    assert "Verdict: *OK*" in status.text and "approved" in status.text

    slack.command("concede acme 1% for a logo", user=REP)
    assert "*ESCALATE*" in slack.command("status acme", user=REP).text


def test_the_decision_is_shown_in_the_thread_without_the_floor_and_the_rep_is_told(
        slack, standin) -> None:
    alert = alert_with_buttons(slack, standin)
    click(slack, alert, Action.APPROVE_EXCEPTION, user=MANAGER)
    thread = [m for m in standin.messages(CHANNEL) if m.thread_ts]
    assert any("approved an exception" in m.text for m in thread)
    assert not any("60,000" in m.text + str(m.blocks) for m in standin.messages(CHANNEL))
    told = standin.ephemerals(REP)
    assert any("approved an exception" in m.text for m in told)


def test_the_alert_shows_who_decided_in_place_of_its_buttons(slack, standin) -> None:
    alert = alert_with_buttons(slack, standin)
    click(slack, alert, Action.TELL_WALK_AWAY, user=MANAGER)
    updated = standin.messages(ALERTS)[0]
    assert updated.updated
    assert not any(block["type"] == "actions" for block in updated.blocks)
    assert f"<@{MANAGER}> told <@{REP}> to walk away" in str(updated.blocks)


def test_a_click_by_someone_who_is_not_a_manager_is_refused_privately_and_records_nothing(
        slack, standin, container) -> None:
    alert = alert_with_buttons(slack, standin)
    assert click(slack, alert, Action.APPROVE_EXCEPTION, user=REP).status == 200
    assert decisions(container) == []
    refusals = standin.ephemerals(REP)
    assert any("Only managers" in m.text for m in refusals)
    assert "*ESCALATE*" in slack.command("status acme", user=REP).text


def test_a_double_click_records_one_decision(slack, standin, container) -> None:
    alert = alert_with_buttons(slack, standin)
    click(slack, alert, Action.TELL_WALK_AWAY, user=MANAGER)
    click(slack, alert, Action.TELL_WALK_AWAY, user=MANAGER)
    assert decisions(container) == [("walk away", MANAGER, 1)]
    assert any("already decided" in m.text for m in standin.ephemerals(MANAGER))


def test_an_approval_after_a_newer_concession_is_refused_as_stale(slack, standin, container) -> None:
    alert = alert_with_buttons(slack, standin)
    slack.command("concede acme 1% for a logo", user=REP)
    click(slack, alert, Action.APPROVE_EXCEPTION, user=MANAGER)
    assert decisions(container) == []
    assert any("newer concession" in m.text for m in standin.ephemerals(MANAGER))


def test_an_ethics_alert_offers_only_walking_away(slack, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("ask acme they want a kickback for the buyer", user=REP)
    slack.deliver()
    alert = standin.messages(ALERTS)[0]
    ids = [e["action_id"] for b in alert.blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == [Action.TELL_WALK_AWAY]
