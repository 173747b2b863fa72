"""The vocabulary and pure rules of sessions: their types and states, what capacity a type
allows, how a wall-clock time in an IANA zone becomes a UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from fitcoach.scheduling.exceptions import (
    InvalidCapacity,
    InvalidRecurrence,
    InvalidSessionTime,
    UnknownTimezone,
)

MAX_DURATION = timedelta(hours=12)
MAX_OCCURRENCES = 52
MAX_CAPACITY = 500
# The years a calendar holds: far enough for any booking, and every moment in them converts
# between zones and takes a buffer without leaving the datetime range.
YEARS = range(2000, 2201)


class SessionType(StrEnum):
    one_to_one = "one-to-one"
    group = "group"
    class_ = "class"
    consultation = "consultation"


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    canceled = "canceled"
    completed = "completed"


class BookingStatus(StrEnum):
    booked = "booked"
    canceled = "canceled"
    late_canceled = "late_canceled"
    attended = "attended"
    no_show = "no_show"


# One-on-one conversations seat one customer; consultations (an introductory talk) cost the
# customer no entitlement.
SINGLE_SEAT = frozenset({SessionType.one_to_one, SessionType.consultation})
FREE_OF_ENTITLEMENT = frozenset({SessionType.consultation})


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimezone() from exc


def instant(field: str, moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in UTC: a time with an offset as given, a wall-clock time read in `zone`; a
    wall-clock time that the zone skips (a DST gap) is refused."""
    if moment.year not in YEARS:
        raise InvalidSessionTime(f"{field} must lie between the years {YEARS[0]} and {YEARS[-1]}")
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    local = moment.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise InvalidSessionTime(f"{field} does not exist in {zone.key} (the clocks skip it)")
    return local.astimezone(UTC)


def check_span(start: datetime, end: datetime, now: datetime) -> None:
    if end <= start:
        raise InvalidSessionTime("endTime must be after startTime")
    if end - start > MAX_DURATION:
        raise InvalidSessionTime("A session lasts at most 12 hours: move endTime closer")
    if start <= now:
        raise InvalidSessionTime("startTime must be in the future")


def check_capacity(kind: SessionType, capacity: int, participants: int) -> None:
    if kind in SINGLE_SEAT and capacity != 1:
        raise InvalidCapacity(f"capacity of a {kind.value} session must be 1")
    if participants > capacity:
        raise InvalidCapacity(
            f"participants ({participants}) must not outnumber capacity ({capacity})"
        )


def local_iso(moment: datetime, zone: ZoneInfo) -> str:
    """The moment as the zone's wall clock shows it, with its offset."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def occurrences(rule_text: str, start: datetime, zone: ZoneInfo) -> list[datetime]:
    """The UTC starts of an RFC 5545 rule (RRULE's value, e.g. FREQ=WEEKLY;COUNT=8) from
    `start`. The rule runs on the zone's wall clock, so a weekly 07:00 class stays at 07:00
    local when the clocks change; UNTIL is a wall-clock time too."""
    local_start = start.astimezone(zone).replace(tzinfo=None)
    try:
        rule = rrulestr(rule_text.removeprefix("RRULE:"), dtstart=local_start)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidRecurrence(f"recurrence is not an RFC 5545 rule: {exc}") from exc
    if not isinstance(rule, rrule):
        raise InvalidRecurrence("recurrence is one RRULE value, e.g. FREQ=WEEKLY;COUNT=8")
    local = list(islice(iter(rule), MAX_OCCURRENCES + 1))
    if len(local) > MAX_OCCURRENCES:
        raise InvalidRecurrence(
            f"recurrence makes more than {MAX_OCCURRENCES} sessions: give COUNT or UNTIL"
        )
    return [instant("recurrence", moment, zone) for moment in local]
