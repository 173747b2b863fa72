"""Quiet hours: local times of day in the user's own time zone, during which non-urgent
deliveries wait. A window whose start is after its end spans midnight (22:00-07:00)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_of(name: str | None) -> ZoneInfo:
    """The user's zone; UTC for none, or for a name this system no longer knows."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quiet_hours_end(now: datetime, zone: ZoneInfo, start: time, end: time) -> datetime | None:
    """When the quiet hours `now` falls in end (UTC), or None if `now` is outside them."""
    if start == end:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() if clock < end else local.date() + timedelta(days=1)
    if not inside:
        return None
    # A wall time skipped by a DST change resolves to the instant just after the gap.
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)
