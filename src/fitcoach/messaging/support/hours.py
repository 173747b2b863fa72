"""Working time: the business's weekly hours in its time zone, less its holidays, and the
service-level budgets counted in it. Pure functions of a policy, tested without a database."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# A walk through the calendar stops here: a policy is validated to work at least one weekday,
# so only a budget of years (refused by the settings' limits) could reach it.
MAX_DAYS = 3 * 366
WARNING_SHARE = 0.8


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Targets:
    """A priority's budgets, in working minutes."""

    first_response_minutes: int
    resolution_minutes: int


DEFAULT_TARGETS: Mapping[Priority, Targets] = {
    Priority.urgent: Targets(60, 8 * 60),
    Priority.high: Targets(4 * 60, 16 * 60),
    Priority.normal: Targets(8 * 60, 40 * 60),
    Priority.low: Targets(16 * 60, 80 * 60),
}
_OFFICE = (time(9), time(17))


@dataclass(frozen=True)
class SupportPolicy:
    """When support works: `hours` by weekday (0 Monday; a day absent is not worked), local to
    `time_zone`, except on `holidays`; and each priority's budgets."""

    time_zone: str = "UTC"
    hours: Mapping[int, tuple[time, time]] = field(
        default_factory=lambda: dict.fromkeys(range(5), _OFFICE)
    )
    holidays: frozenset[date] = frozenset()
    targets: Mapping[Priority, Targets] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _windows(policy: SupportPolicy, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The working periods (UTC) that end after `since`, in order; the first may have begun
    before it."""
    zone = policy.zone
    day = since.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        hours = policy.hours.get(day.weekday())
        if hours is not None and day not in policy.holidays:
            start = datetime.combine(day, hours[0], tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day, hours[1], tzinfo=zone).astimezone(UTC)
            if end > since:
                yield max(start, since), end
        day += timedelta(days=1)


def add_working_seconds(policy: SupportPolicy, since: datetime, seconds: int) -> datetime:
    """The instant at which `seconds` of working time have passed after `since`."""
    left = seconds
    for start, end in _windows(policy, since):
        length = (end - start).total_seconds()
        if left <= length:
            return start + timedelta(seconds=left)
        left -= math.ceil(length)
    raise ValueError("the budget runs past the calendar's end")


def working_seconds_between(policy: SupportPolicy, since: datetime, until: datetime) -> int:
    """How much working time lies between `since` and `until` (0 if `until` is earlier)."""
    total = 0.0
    if until <= since:
        return 0
    for start, end in _windows(policy, since):
        if start >= until:
            break
        total += (min(end, until) - start).total_seconds()
    return int(total)


def warning_seconds(target_seconds: int) -> int:
    return int(target_seconds * WARNING_SHARE)
