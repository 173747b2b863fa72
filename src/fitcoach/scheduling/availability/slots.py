"""Free one-to-one slots: each working window of each local day, cut into slots of the asked
length, less time off and the coach's sessions with their buffer. Pure: what the service
loaded goes in, the slots come out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Busy:
    """A span no slot may meet (time off, or a session with the buffer on both sides)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class SlotRequest:
    start: datetime
    end: datetime
    length: timedelta
    not_before: datetime


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone)


def free_slots(
    weekly: dict[str, list[list[str]]], zone: ZoneInfo, busy: list[Busy], request: SlotRequest
) -> list[tuple[datetime, datetime]]:
    found: list[tuple[datetime, datetime]] = []
    first = request.start.astimezone(zone).date() - timedelta(days=1)
    last = request.end.astimezone(zone).date()
    for day in _days(first, last):
        for opens, closes in weekly.get(WEEKDAYS[day.weekday()], []):
            slot = _at(day, opens, zone)
            window_end = _at(day, closes, zone)
            while slot + request.length <= window_end:
                start, end = slot, slot + request.length
                fits = request.start <= start and end <= request.end
                free = all(not (one.start < end and start < one.end) for one in busy)
                if fits and free and start >= request.not_before:
                    found.append((start, end))
                slot = end
    return found
