"""Streaks, freezes and badges as pure functions of a customer's local days.

The streak is recomputed from the days rather than bumped by each completion, so that a repeated
PATCH, an undo, a late log for an earlier day or concurrent requests all end in the same numbers.
A day counts when every workout scheduled that day is completed and at least COUNTED_SHARE of its
scheduled items are (the admin's StreakPolicy). Rest days (nothing scheduled) neither break nor
extend the streak. Today, while it lasts, cannot break it. A missed day spends a freeze if there
is one; a freeze is earned every `freeze_every` counted days, at most `max_freezes` in stock.
Freezes granted on a day (an automation's) join the stock at the start of that day, so they can
cover a miss that very day or later; the stock stays at most `max_freezes` all the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType


@dataclass(frozen=True)
class StreakPolicy:
    day_share: int = 80  # percent of a day's items, on top of every workout
    freeze_every: int = 7
    max_freezes: int = 2


@dataclass(frozen=True)
class DayRecord:
    workouts: int
    workouts_done: int
    items: int
    items_done: int

    @property
    def rest(self) -> bool:
        return self.items == 0

    def counted(self, policy: StreakPolicy) -> bool:
        return (
            not self.rest
            and self.workouts_done == self.workouts
            and self.items_done * 100 >= policy.day_share * self.items
        )

    @property
    def perfect(self) -> bool:
        return not self.rest and self.items_done == self.items


@dataclass(frozen=True)
class StreakState:
    current: int = 0
    longest: int = 0
    freezes: int = 0
    freezes_used: int = 0
    perfect_weeks: int = 0


NO_GRANTS: Mapping[date, int] = MappingProxyType({})


def streak_of(
    days: Mapping[date, DayRecord],
    span: tuple[date, date],
    policy: StreakPolicy,
    granted: Mapping[date, int] = NO_GRANTS,
) -> StreakState:
    """Walk the local days of `span` (first, today); `days` holds the scheduled ones, `granted`
    the freezes granted per day."""
    first, today = span
    current = longest = freezes = used = earned_at = 0
    perfect_weeks = 0
    day = first
    while day <= today:
        freezes = min(freezes + granted.get(day, 0), policy.max_freezes)
        record = days.get(day)
        if record is not None and not record.rest:
            if record.counted(policy):
                current += 1
                longest = max(longest, current)
                earned_at += 1
                if earned_at % policy.freeze_every == 0 and freezes < policy.max_freezes:
                    freezes += 1
            elif day < today:
                if freezes:
                    freezes -= 1
                    used += 1
                else:
                    current = 0
        if day.isoweekday() == 7 and _perfect_week(days, day):
            perfect_weeks += 1
        day += timedelta(days=1)
    return StreakState(current, longest, freezes, used, perfect_weeks)


def _perfect_week(days: Mapping[date, DayRecord], sunday: date) -> bool:
    """Monday to Sunday with at least one scheduled day, every scheduled item done."""
    week = [days.get(sunday - timedelta(days=back)) for back in range(7)]
    scheduled = [record for record in week if record is not None and not record.rest]
    return bool(scheduled) and all(record.perfect for record in scheduled)


class Badge(StrEnum):
    first_workout = "first_workout"
    streak_7 = "streak_7"
    streak_30 = "streak_30"
    streak_100 = "streak_100"
    workouts_100 = "workouts_100"
    perfect_week = "perfect_week"


class Measure(StrEnum):
    workouts = "workouts"
    longest = "longest"
    perfect_weeks = "perfect_weeks"


@dataclass(frozen=True)
class BadgeRule:
    code: str
    name: str
    measure: Measure
    target: int


BADGE_RULES = (
    BadgeRule(Badge.first_workout, "First workout", Measure.workouts, 1),
    BadgeRule(Badge.streak_7, "7-day streak", Measure.longest, 7),
    BadgeRule(Badge.streak_30, "30-day streak", Measure.longest, 30),
    BadgeRule(Badge.streak_100, "100-day streak", Measure.longest, 100),
    BadgeRule(Badge.workouts_100, "100 workouts", Measure.workouts, 100),
    BadgeRule(Badge.perfect_week, "Perfect week", Measure.perfect_weeks, 1),
)


@dataclass(frozen=True)
class Standing:
    """What badges measure, for one customer."""

    workouts: int
    longest: int
    perfect_weeks: int

    def progress(self, rule: BadgeRule) -> int:
        return min(int(getattr(self, rule.measure.value)), rule.target)
