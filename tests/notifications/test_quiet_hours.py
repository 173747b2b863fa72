"""When quiet hours end, in the user's own zone: windows within a day, windows over midnight
(before and after it), an empty window, and a daylight-saving change inside the window."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from fitcoach.notifications.quiet_hours import quiet_hours_end, zone_of


@pytest.mark.parametrize(
    ("now", "zone", "start", "end", "expected"),
    [
        # 23:30 in Cairo (UTC+2), 22:00-07:00: ends 07:00 Cairo the next morning.
        (
            datetime(2026, 12, 7, 21, 30, tzinfo=UTC),
            "Africa/Cairo",
            time(22),
            time(7),
            datetime(2026, 12, 8, 5, 0, tzinfo=UTC),
        ),
        # 03:00 in Cairo, same window: ends 07:00 the same morning.
        (
            datetime(2026, 12, 8, 1, 0, tzinfo=UTC),
            "Africa/Cairo",
            time(22),
            time(7),
            datetime(2026, 12, 8, 5, 0, tzinfo=UTC),
        ),
        # 21:30 in Cairo is before the window.
        (datetime(2026, 12, 7, 19, 30, tzinfo=UTC), "Africa/Cairo", time(22), time(7), None),
        # A window within the day, and its end excluded.
        (
            datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
            None,
            time(11),
            time(13),
            datetime(2026, 12, 7, 13, 0, tzinfo=UTC),
        ),
        (datetime(2026, 12, 7, 13, 0, tzinfo=UTC), None, time(11), time(13), None),
        # Start equal to end: no quiet hours.
        (datetime(2026, 12, 7, 12, 0, tzinfo=UTC), None, time(12), time(12), None),
        # Berlin springs forward on 29 March 2026 at 02:00: 07:00 that morning is CEST (UTC+2).
        (
            datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
            "Europe/Berlin",
            time(22),
            time(7),
            datetime(2026, 3, 29, 5, 0, tzinfo=UTC),
        ),
    ],
)
def test_quiet_hours_end(
    now: datetime, zone: str | None, start: time, end: time, expected: datetime | None
) -> None:
    assert quiet_hours_end(now, zone_of(zone), start, end) == expected


def test_an_unknown_zone_reads_as_utc() -> None:
    assert zone_of("Nowhere/Atlantis").key == "UTC"
