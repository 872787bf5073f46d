"""Calendar periods to date (week, month, quarter) in a workspace's time zone, and the one before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.figures import Period

PERIODS = ("week", "month", "quarter")
ALL = "all"  # an export's choice besides the periods: every deal, whenever it was active
_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def period_start(now: datetime, period: str, timezone: str) -> datetime:
    """The start of the week (Monday), month or quarter containing `now`, local midnight, as UTC."""
    local = now.astimezone(ZoneInfo(timezone))
    if period == "week":
        day = local.date() - timedelta(days=local.weekday())
    elif period == "month":
        day = local.date().replace(day=1)
    elif period == "quarter":
        day = local.date().replace(month=3 * ((local.month - 1) // 3) + 1, day=1)
    else:
        raise ValueError(f"unknown period {period!r}")
    # Built from the wall clock so a DST change between the start and today gives the right offset.
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def current_period(now: datetime, name: str, timezone: str) -> Period:
    """The calendar period to date."""
    return Period(name, period_start(now, name, timezone), now)


def period_or_all(now: datetime, name: str, timezone: str) -> Period:
    """The calendar period to date, or for `all` a period from before any deal to now: a deal is active in it
    (`figures.active_in`) if it was opened before now."""
    return Period(ALL, _BEGINNING, now) if name == ALL else current_period(now, name, timezone)


def previous_period(period: Period, timezone: str) -> Period:
    """The whole calendar period before `period`."""
    just_before = period.start - timedelta(seconds=1)
    return Period(period.name, period_start(just_before, period.name, timezone), period.start)


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def digest_due(now: datetime, day: str, hour: int, timezone: str) -> bool:
    """Whether this week's digest moment (weekday `day` at `hour`, local time) has come. A scheduler that
    was down at that moment still sends it later the same week: late, never lost."""
    local = now.astimezone(ZoneInfo(timezone))
    week_start = local.date() - timedelta(days=local.weekday())
    moment_day = week_start + timedelta(days=DAYS.index(day))
    moment = datetime(moment_day.year, moment_day.month, moment_day.day, hour, tzinfo=ZoneInfo(timezone))
    return local >= moment


def last_complete_period(now: datetime, name: str, timezone: str) -> Period:
    """The last whole period before now: what a Monday digest reports."""
    return previous_period(current_period(now, name, timezone), timezone)
