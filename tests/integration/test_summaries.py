"""Summaries: every figure from SQL, the sentences' numbers from the figures, bands and the cap cluster."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from conftest import MANAGER, OTHER_REP, REP, TEAM
from sqlalchemy import text

from bot.commands.types import Summary
from bot.domain.figures import Period
from bot.services.access import Actor
from bot.services.periods import current_period, previous_period


def figures(container, *, user: str = MANAGER, period: str = "week"):  # noqa: ANN001, ANN201
    return container.services.summaries.summary(Actor(TEAM, user, "C0DEALS"), Summary(None, period))


def close_at(slack, name: str, discount: int, outcome: str) -> None:  # noqa: ANN001
    slack.command(f"new {name} list=100k floor=50k cap=40%", user=MANAGER)
    slack.command(f"concede {name} {discount}% for a signature", user=MANAGER)
    slack.command(f"{outcome} {name}", user=MANAGER)


def test_win_rate_by_discount_band_counts_deals_closed_in_the_period(slack, container) -> None:
    close_at(slack, "a", 5, "won")
    close_at(slack, "b", 8, "lost")
    close_at(slack, "c", 15, "won")
    close_at(slack, "d", 25, "won")
    close_at(slack, "e", 35, "lost")
    bands = {band.label: (band.won, band.lost) for band in figures(container).team.bands}
    assert bands == {"0-10%": (1, 1), "10-20%": (1, 0), "20-30%": (1, 0), "over 30%": (0, 1)}


def test_deals_within_two_points_under_the_cap_are_counted_as_clustering(slack, container) -> None:
    for name, discount in (("a", 19), ("b", 18), ("c", 15), ("d", 0)):
        slack.command(f"new {name} list=100k floor=50k", user=REP)
        if discount:
            slack.command(f"concede {name} {discount}% for a logo", user=REP)
    assert figures(container).team.under_cap == 2


def test_gives_with_and_without_a_get_are_counted_per_rep(slack, container) -> None:
    slack.command("new a list=100k floor=50k", user=REP)
    slack.command("concede a 1% for a logo", user=REP)
    slack.command("concede a 1%", user=REP)
    slack.command("new b list=100k floor=50k", user=OTHER_REP)
    slack.command("concede b 1%", user=OTHER_REP)
    reps = {r.user_id: (r.concessions, r.with_get, r.without_get) for r in figures(container).reps}
    assert reps == {REP: (2, 1, 1), OTHER_REP: (1, 0, 1)}


def test_every_number_in_the_sentences_comes_from_the_figures(slack, container) -> None:
    slack.command("new a list=100k floor=50k", user=REP)
    for _ in range(3):
        slack.command("concede a 1%", user=REP)
    slack.command("new b list=100k floor=90k", user=OTHER_REP)
    slack.command("concede b 25% for a logo", user=OTHER_REP)
    result = figures(container)
    team = result.team
    known = {team.totals.deals_opened, team.totals.concessions, team.totals.without_get, team.under_cap,
             team.previous.concessions, abs(team.totals.concessions - team.previous.concessions)}
    for rep in result.reps:
        known |= {rep.concessions, rep.without_get}
    said = " ".join(result.sentences)
    numbers = {int(n) for n in re.findall(r"(?<![\w#])(\d+)(?![\w%])", re.sub(r"<@\w+>", "", said))}
    assert numbers and numbers <= known, (numbers - known, said)
    assert "4 concessions" in said and "3 of them with nothing in return" in said
    assert "Needs you: b" in said
    assert f"<@{REP}> (3 of 3)" in said


def test_the_change_is_measured_against_the_whole_previous_period(slack, container) -> None:
    slack.command("new a list=100k floor=50k", user=REP)
    slack.command("concede a 1% for x", user=REP)
    slack.command("concede a 1% for y", user=REP)
    slack.command("concede a 1% for z", user=REP)
    # Move two of the three concessions into last week (the calendar week, whatever today's weekday).
    last_week = previous_period(current_period(datetime.now(UTC), "week", "UTC"), "UTC")
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entry SET at = :at WHERE seq <= 4"),
                           {"at": last_week.start + timedelta(hours=1)})
    result = figures(container)
    assert (result.team.totals.concessions, result.team.previous.concessions) == (1, 2)
    assert "1 fewer concessions than last week (2)" in " ".join(result.sentences)


def test_a_rep_sees_only_their_own_summary(slack, container) -> None:
    slack.command("new a list=100k floor=50k", user=REP)
    slack.command("new b list=100k floor=50k", user=OTHER_REP)
    mine = figures(container, user=REP)
    assert mine.team is None and [r.user_id for r in mine.reps] == [REP]


def test_periods_follow_the_workspace_time_zone_and_the_previous_period_is_whole() -> None:
    now = datetime(2026, 3, 4, 1, 30, tzinfo=UTC)  # still Tuesday 3 March in New York
    week = current_period(now, "week", "America/New_York")
    assert week.start == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    before = previous_period(week, "America/New_York")
    assert before == Period("week", datetime(2026, 2, 23, 5, 0, tzinfo=UTC), week.start)
    quarter = current_period(now, "quarter", "Europe/Paris")
    assert quarter.start == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
