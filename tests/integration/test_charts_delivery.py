"""Pictures: the price chart goes to the rep's direct messages only; the digest carries the team chart."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import ALERTS, CHANNEL, MANAGER, OTHER_REP, REP

from bot.db.engine import session_factory
from bot.services.digests import DigestService
from bot.slack.ids import Action

PNG = b"\x89PNG\r\n\x1a\n"


def completed(standin) -> list:  # noqa: ANN001
    return [upload for upload in standin.uploads() if upload.completed]


def press_chart_button(slack, status, *, user: str):  # noqa: ANN001, ANN201 - test helper
    """Clicks "Send me the price chart" in a status reply."""
    return slack.press(status.body["blocks"], Action.PRICE_CHART, user=user, channel=CHANNEL)


def test_the_status_buttons_chart_goes_to_the_clickers_direct_messages_not_the_channel(slack, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 5% for a logo", user=REP)
    status = slack.command("status acme", user=REP)
    assert press_chart_button(slack, status, user=REP).status == 200
    uploads = completed(standin)
    assert len(uploads) == 1
    assert uploads[0].data.startswith(PNG)
    assert uploads[0].channel.startswith("D") and uploads[0].channel != CHANNEL
    opened = standin.calls_to("conversations.open")
    assert opened and opened[-1].params["users"] == REP


def test_status_itself_sends_nothing_and_another_rep_cannot_get_the_chart(slack, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    status = slack.command("status acme", user=REP)
    slack.deliver()
    assert completed(standin) == []
    press_chart_button(slack, status, user=OTHER_REP)
    assert completed(standin) == []
    assert any("Only" in m.text for m in standin.ephemerals(OTHER_REP))


def test_the_weekly_digest_carries_the_win_rate_chart(slack, container, standin) -> None:
    slack.command(f"policy digest_day=mon digest_hour=0 digest_channel=<#{ALERTS}|alerts>", user=MANAGER)
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    DigestService(container.uow, session_factory(container.engine), settings_managers=frozenset({MANAGER}),
                  clock=lambda: now).queue_due_digests()
    slack.deliver()
    charts = [u for u in completed(standin) if u.filename == "win-rate-by-discount.png"]
    assert sorted(u.channel for u in charts if u.channel == ALERTS) == [ALERTS]
    assert len(charts) == 2  # the manager's DM and the digest channel
    assert all(u.data.startswith(PNG) for u in charts)
