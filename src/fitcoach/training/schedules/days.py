"""Which of a plan's items fall on a date: the one rule that today, completion, streaks and
adherence share."""

from __future__ import annotations

from datetime import date

from fitcoach.models import PlanItem
from fitcoach.training.schedules.repository import FollowedPlan
from fitcoach.training.schedules.rules import ScheduleKind


def plan_day(followed: FollowedPlan, on: date) -> int | None:
    """The plan's day number on `on`, None before the assignment starts. A plan without a
    schedule repeats as a cycle as long as its highest item day."""
    elapsed = (on - followed.assignment.start_date).days
    if elapsed < 0:
        return None
    schedule = followed.schedule
    if schedule is not None and schedule.kind == ScheduleKind.weekdays:
        return on.isoweekday()
    length = schedule.cycle_days if schedule is not None and schedule.cycle_days else None
    if length is None:
        length = max((item.day for item in followed.plan.items), default=1)
    return elapsed % length + 1


def items_on(followed: FollowedPlan, on: date) -> list[PlanItem]:
    day = plan_day(followed, on)
    if day is None:
        return []
    return [item for item in followed.plan.items if item.day == day]
