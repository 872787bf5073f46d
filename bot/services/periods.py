"""Calendar periods to date (week, month, quarter) in a workspace's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def period_start(now: datetime, period: str, timezone: str) -> datetime:
    """The start of the week (Monday), month or quarter containing `now`, local midnight, as UTC."""
    local = now.astimezone(ZoneInfo(timezone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        start = midnight - timedelta(days=midnight.weekday())
    elif period == "month":
        start = midnight.replace(day=1)
    elif period == "quarter":
        start = midnight.replace(month=3 * ((midnight.month - 1) // 3) + 1, day=1)
    else:
        raise ValueError(f"unknown period {period!r}")
    # Rebuild from the wall clock so a DST change between the start and today gives the right offset.
    start = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo(timezone))
    return start.astimezone(UTC)
