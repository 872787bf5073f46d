"""App Home: a rep sees their open deals; a manager also sees the team's deals and alerts awaiting them."""

from __future__ import annotations

import copy

from conftest import MANAGER, REP
from slack_client import slack_payload

from bot.render.plaintext import view_to_text


def open_home(slack, user: str) -> str:  # noqa: ANN001
    body = copy.deepcopy(slack_payload("test_payload_utils__app_home_opened_home_body"))
    body.update(team_id="T0TEST", event_id=f"Ev-home-{user}")
    body.pop("enterprise_id", None)
    body["event"]["user"] = user
    assert slack.event(body).status == 200
    slack.deliver()
    view = slack.standin.home_view(user)
    assert view is not None, "views.publish was not called for the user"
    return view_to_text(view)


def test_a_rep_sees_their_open_deals_with_verdict_and_headroom(slack) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 5% for a logo", user=REP)
    home = open_home(slack, REP)
    assert "acme" in home and "headroom $35,000" in home
    assert "Waiting for your decision" not in home


def test_a_manager_sees_deals_at_escalate_and_alerts_waiting_for_a_decision(slack) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.command("new calm list=100k floor=60k", user=REP)
    home = open_home(slack, MANAGER)
    waiting = home.split("Waiting for your decision", 1)[1]
    assert "acme" in waiting and "ESCALATE" in waiting
    assert "calm" not in waiting
