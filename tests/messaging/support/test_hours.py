"""Working time: a budget runs only in the business's hours, in its zone, skipping weekends
and holidays; the time between two instants counts only those hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from fitcoach.messaging.support.hours import (
    SupportPolicy,
    add_working_seconds,
    working_seconds_between,
)

CAIRO = ZoneInfo("Africa/Cairo")
# Sunday to Thursday, 09:00 to 17:00.
POLICY = SupportPolicy(
    time_zone="Africa/Cairo",
    hours=dict.fromkeys((6, 0, 1, 2, 3), (time(9), time(17))),
    holidays=frozenset({date(2027, 1, 12)}),
)


def cairo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CAIRO)


def test_a_friday_evening_budget_starts_on_sunday_morning() -> None:
    friday_evening = cairo("2027-01-08T19:00")
    assert add_working_seconds(POLICY, friday_evening, 3600) == cairo("2027-01-10T10:00")
    # A whole working day ends at Sunday's close, not at Saturday's.
    assert add_working_seconds(POLICY, friday_evening, 8 * 3600) == cairo("2027-01-10T17:00")


def test_a_budget_skips_the_holiday_and_the_weekend() -> None:
    sunday_noon = cairo("2027-01-10T12:00")
    # Sun 5h, Mon 8h, (Tuesday a holiday), Wed 8h, Thu 8h: 29h; the 30th runs on Sunday.
    assert add_working_seconds(POLICY, sunday_noon, 30 * 3600) == cairo("2027-01-17T10:00")


def test_time_between_counts_working_hours_only() -> None:
    assert (
        working_seconds_between(POLICY, cairo("2027-01-07T16:00"), cairo("2027-01-10T10:00"))
        == 2 * 3600
    )
    assert (
        working_seconds_between(POLICY, cairo("2027-01-11T16:00"), cairo("2027-01-13T10:00"))
        == 2 * 3600
    )
    assert (
        working_seconds_between(POLICY, cairo("2027-01-13T10:00"), cairo("2027-01-11T10:00")) == 0
    )


def test_the_default_policy_works_weekdays_in_utc() -> None:
    saturday = datetime(2027, 1, 9, 12, tzinfo=UTC)
    assert add_working_seconds(SupportPolicy(), saturday, 60) == datetime(
        2027, 1, 11, 9, 1, tzinfo=UTC
    )
