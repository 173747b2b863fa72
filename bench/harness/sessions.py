"""Coaches' calendars in the seed (issue 20): one coach with 1,000 sessions over the coming
month, one with 10, both signed in, so `GET /sessions` can be timed on a full calendar beside a
nearly empty one. The sessions are back to back 30-minute classes, 40 minutes apart (the
buffer the coach keeps is 10 minutes here, which the exclusion constraint checks), starting an
hour after the seed is made.

The calendar is read a page of 10 at a time over the month, the way the app's month view pages
through it, so both calendars answer the same page size and the difference is the calendar's
size alone (an index seek on (coach_id, start_at) and a count, both bounded by the range)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

API = "/api/v1"
SESSIONS = f"{API}/sessions"
CALENDAR_SIZES = (10, 1_000)
PAGE_SIZE = 10
_LENGTH = timedelta(minutes=30)
_EVERY = timedelta(minutes=40)

SCHEDULED_SESSION_COLUMNS = (
    "id", "type", "status", "coach_id", "start_at", "end_at", "coach_busy_until", "timezone",
    "location", "capacity", "booked", "sequence", "created_by_id",
)  # fmt: skip

Row = tuple[Any, ...]


def add_calendar(
    add: Callable[[Row], None], coach_id: uuid.UUID, sessions: int, now: datetime
) -> None:
    first = now.replace(second=0, microsecond=0) + timedelta(hours=1)
    for index in range(sessions):
        start = first + index * _EVERY
        end = start + _LENGTH
        busy_until = end + timedelta(minutes=10)
        row = (uuid.uuid4(), "class", "scheduled", coach_id, start, end, busy_until)
        add((*row, "Africa/Cairo", "Studio", 12, 0, 0, coach_id))


def calendar_path(now: datetime | None = None) -> str:
    """The month from the start of today (UTC): every seeded session falls inside it."""
    today = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today + timedelta(days=31)
    return (
        f"{SESSIONS}?role=coach&pageSize={PAGE_SIZE}"
        f"&start={today.strftime('%Y-%m-%dT%H:%M:%SZ')}&end={end.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    )
