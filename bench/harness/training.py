"""The daily experience in the seed: every signed-in device's customer follows a training and a
diet plan (free users the default templates, paid users their own newest plans), each plan with
a water habit, so `GET /plans/today` shows a real day (4 exercises, 5 meals, 2 habits) and the
completion PATCH has items to mark.

The plans are scheduled as a cycle of one day from a month ago: their day-1 items fall on every
date, so "today" is a scheduled day whenever the run happens, also across midnight.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

API = "/api/v1"
TODAY = f"{API}/plans/today"
COMPLETION = f"{API}/plans/{{planId}}/items/{{itemId}}"

ASSIGNMENT_COLUMNS = (
    "id", "customer_id", "plan_id", "start_date", "assigned_by_id", "created_at", "updated_at",
)  # fmt: skip
SCHEDULE_COLUMNS = ("plan_id", "kind", "cycle_days", "created_at", "updated_at")
HABIT_COLUMNS = (
    "id", "plan_id", "customer_id", "kind", "name", "target", "unit", "created_at", "updated_at",
)  # fmt: skip

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Follower:
    """A signed-in customer, their access token and the two plans they follow."""

    user_id: uuid.UUID
    token: str
    training_plan: uuid.UUID
    diet_plan: uuid.UUID


@dataclass(frozen=True)
class Completions:
    """One customer's training items of the day, which the completion scenario marks."""

    token: str
    plan_id: str
    item_ids: tuple[str, ...]

    def line(self) -> str:
        return f"{self.token} {self.plan_id} {','.join(self.item_ids)}"


def completion_body(status: str) -> dict[str, Any]:
    """What the app sends for a marked item; RPE is valid for strength and cardio alike."""
    if status == "pending":
        return {"status": "pending"}
    return {"status": status, "feedback": "Felt strong", "metrics": {"rpe": 7}}


def follow_plans(
    add: Callable[[str, Sequence[str], Row], None],
    plan_items: Sequence[Row],
    followers: Sequence[Follower],
    assigned_by: uuid.UUID,
    now: datetime,
) -> list[Completions]:
    """Adds the assignments, schedules and habits through `add(table, columns, row)`; answers
    each follower's day-1 training items. `plan_items` rows start (id, plan_id, position, day)."""
    start = (now - timedelta(days=30)).date()
    day_one: dict[uuid.UUID, list[str]] = {}
    for item in plan_items:
        if item[3] == 1:
            day_one.setdefault(item[1], []).append(str(item[0]))
    scheduled: set[uuid.UUID] = set()
    completions = []
    for follower in followers:
        for plan_id in (follower.training_plan, follower.diet_plan):
            row = (uuid.uuid4(), follower.user_id, plan_id, start, assigned_by, now, now)
            add("plan_assignments", ASSIGNMENT_COLUMNS, row)
            if plan_id not in scheduled:
                scheduled.add(plan_id)
                add("plan_schedules", SCHEDULE_COLUMNS, (plan_id, "cycle", 1, now, now))
                habit = (uuid.uuid4(), plan_id, None, "water", "Water", 2.0, "l", now, now)
                add("habits", HABIT_COLUMNS, habit)
        items = tuple(day_one[follower.training_plan])
        completions.append(Completions(follower.token, str(follower.training_plan), items))
    return completions
