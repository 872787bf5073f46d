"""Pictures: the price chart goes to the rep's direct messages only; the digest carries the team chart."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import ALERTS, CHANNEL, MANAGER, REP

from bot.db.engine import session_factory
from bot.services.digests import DigestService

PNG = b"\x89PNG\r\n\x1a\n"


def completed(standin) -> list:  # noqa: ANN001
    return [upload for upload in standin.uploads() if upload.completed]


def test_status_sends_the_price_chart_to_the_reps_direct_messages_not_the_channel(slack, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("concede acme 5% for a logo", user=REP)
    slack.command("status acme", user=REP)
    slack.deliver()
    uploads = completed(standin)
    assert len(uploads) == 1
    assert uploads[0].data.startswith(PNG)
    assert uploads[0].channel.startswith("D") and uploads[0].channel != CHANNEL
    opened = standin.calls_to("conversations.open")
    assert opened and opened[-1].params["users"] == REP


def test_asking_again_without_a_change_sends_no_new_chart(slack, standin) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    slack.command("status acme", user=REP)
    slack.command("status acme", user=REP)
    slack.deliver()
    assert len(completed(standin)) == 1
    slack.command("concede acme 5% for a logo", user=REP)
    slack.command("status acme", user=REP)
    slack.deliver()
    assert len(completed(standin)) == 2


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
