"""The streak rules as pure functions: granted freezes join the stock at the start of their day,
cover a miss that day or later, and never lift the stock above the policy's maximum."""

from __future__ import annotations

from datetime import date, timedelta

from fitcoach.training.streaks.rules import DayRecord, StreakPolicy, StreakState, streak_of

DONE = DayRecord(workouts=1, workouts_done=1, items=1, items_done=1)
MISSED = DayRecord(workouts=1, workouts_done=0, items=1, items_done=0)
MONDAY = date(2026, 12, 7)
# No freeze is earned within these tests' few days.
POLICY = StreakPolicy(freeze_every=7, max_freezes=2)


def _days(*records: DayRecord) -> dict[date, DayRecord]:
    return {MONDAY + timedelta(days=offset): record for offset, record in enumerate(records)}


def _span(days: int) -> tuple[date, date]:
    return MONDAY, MONDAY + timedelta(days=days - 1)


def test_without_grants_a_miss_with_no_freeze_breaks_the_streak() -> None:
    state = streak_of(_days(DONE, MISSED, DONE), _span(3), POLICY)
    assert state == StreakState(current=1, longest=1, freezes=0, freezes_used=0)


def test_a_freeze_granted_on_the_missed_day_covers_it() -> None:
    granted = {MONDAY + timedelta(days=1): 1}
    state = streak_of(_days(DONE, MISSED, DONE), _span(3), POLICY, granted)
    assert state == StreakState(current=2, longest=2, freezes=0, freezes_used=1)


def test_a_freeze_granted_earlier_waits_in_stock_for_a_later_miss() -> None:
    granted = {MONDAY: 1}
    state = streak_of(_days(DONE, DONE, MISSED, DONE), _span(4), POLICY, granted)
    assert (state.current, state.freezes, state.freezes_used) == (3, 0, 1)


def test_a_freeze_granted_after_the_miss_does_not_reach_back() -> None:
    granted = {MONDAY + timedelta(days=2): 1}
    state = streak_of(_days(DONE, MISSED, DONE), _span(3), POLICY, granted)
    assert (state.current, state.freezes, state.freezes_used) == (1, 1, 0)


def test_grants_never_lift_the_stock_above_the_maximum() -> None:
    granted = {MONDAY: 5, MONDAY + timedelta(days=1): 1}
    state = streak_of(_days(DONE, DONE), _span(2), POLICY, granted)
    assert state.freezes == POLICY.max_freezes


def test_earned_and_granted_freezes_share_the_one_maximum() -> None:
    policy = StreakPolicy(freeze_every=2, max_freezes=2)
    # One earned on day 2; two granted on day 3 fill the stock to 2, not 3; day 4 earns none.
    granted = {MONDAY + timedelta(days=2): 2}
    state = streak_of(_days(DONE, DONE, DONE, DONE), _span(4), policy, granted)
    assert state.freezes == 2


def test_grants_outside_the_span_are_not_counted() -> None:
    granted = {MONDAY - timedelta(days=1): 1, MONDAY + timedelta(days=5): 1}
    state = streak_of(_days(DONE, MISSED, DONE), _span(3), POLICY, granted)
    assert (state.current, state.freezes) == (1, 0)


def test_today_unfinished_spends_no_granted_freeze() -> None:
    granted = {MONDAY + timedelta(days=1): 1}
    state = streak_of(_days(DONE, MISSED), _span(2), POLICY, granted)
    assert (state.current, state.freezes, state.freezes_used) == (1, 1, 0)
