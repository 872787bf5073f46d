"""App Home: a rep sees their open deals; a manager also sees the team's deals and alerts awaiting them."""

from __future__ import annotations

from conftest import MANAGER, REP

from bot.render.plaintext import view_to_text


def open_home(slack, user: str) -> str:  # noqa: ANN001
    return view_to_text(slack.open_home(user))


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
