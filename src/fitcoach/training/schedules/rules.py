"""How a plan's days map to dates, and the kinds of daily habit with their units."""

from __future__ import annotations

from enum import StrEnum


class ScheduleKind(StrEnum):
    weekdays = "weekdays"
    cycle = "cycle"


class HabitKind(StrEnum):
    water = "water"
    steps = "steps"
    sleep = "sleep"
    custom = "custom"


# The unit each built-in habit is counted in; a custom habit names its own.
HABIT_UNITS = {HabitKind.water: "ml", HabitKind.steps: "steps", HabitKind.sleep: "h"}
