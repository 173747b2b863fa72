"""A customer's day in their own time zone: what their plans schedule, what they logged, and the
day's totals. No plan is an empty day with the reason, not an error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.models import (
    Actor,
    Exercise,
    Habit,
    ItemLog,
    ItemSubstitution,
    Plan,
    PlanAssignment,
    PlanItem,
    PlanSchedule,
)
from fitcoach.training.completion.metrics import SubjectType, volume_kg
from fitcoach.training.completion.service import subject_type_of
from fitcoach.training.exercises.service import exercises_service
from fitcoach.training.logs.repository import logs_repository
from fitcoach.training.schedules.days import items_on
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.substitutions.service import substitutions_service
from fitcoach.training.timezones import local_date, zone

T = TypeVar("T")

NO_PLAN = "No plan has been assigned to you yet"
REST_DAY = "Rest day: nothing is scheduled"

# Each customer's days as the endpoint renders them, keyed by (date, time zone): the app opens
# on today, again and again, and the day changes only when the customer logs or swaps something
# or a coach edits a plan (migration 0037 announces them all).
RENDERED_DAYS: CachedRead[Any] = CachedRead(
    "rendered_days",
    topic=topics.TRAINING_DAY,
    tables=(
        PlanAssignment.__tablename__,
        ItemLog.__tablename__,
        ItemSubstitution.__tablename__,
        Plan.__tablename__,
        PlanItem.__tablename__,
        PlanSchedule.__tablename__,
        Habit.__tablename__,
        Exercise.__tablename__,
    ),
    max_keys_per_group=4,
)


@dataclass(frozen=True)
class ScheduledItem:
    item: PlanItem
    item_type: SubjectType
    exercise: Exercise | None  # the substitute's, when there is one
    substitution: ItemSubstitution | None
    log: ItemLog | None  # None: pending


@dataclass(frozen=True)
class HabitOfDay:
    habit: Habit
    log: ItemLog | None  # None: pending


@dataclass(frozen=True)
class Totals:
    planned_calories: int
    logged_calories: float
    planned_protein_g: float
    logged_protein_g: float
    workout_volume_kg: float


@dataclass(frozen=True)
class Day:
    date: date
    timezone: str
    rest_day: bool
    reason: str | None  # why the day is empty, when it is
    items: list[ScheduledItem]
    habits: list[HabitOfDay]
    totals: Totals


def _key(item: PlanItem) -> str:
    return (item.exercise or "").lower()


def _amount(metrics: dict[str, Any], key: str) -> float:
    value = metrics.get(key)
    return float(value["value"]) if isinstance(value, dict) else 0.0


def _totals(items: list[ScheduledItem]) -> Totals:
    logged = [
        one.log.metrics for one in items if one.log is not None and one.log.status == "completed"
    ]
    return Totals(
        planned_calories=sum(one.item.calories or 0 for one in items),
        logged_calories=sum(_amount(metrics, "calories") for metrics in logged),
        planned_protein_g=sum(one.item.protein_g or 0 for one in items),
        logged_protein_g=sum(_amount(metrics, "protein") for metrics in logged),
        workout_volume_kg=round(sum(volume_kg(metrics) for metrics in logged), 2),
    )


@dataclass(frozen=True)
class DayAsked:
    """Which day a customer asked for: a date and a time zone, each defaulted (today, in their
    profile's zone)."""

    on: date | None
    timezone: str | None


class TodayService:
    async def rendered_day(
        self,
        session: AsyncSession,
        customer: Actor,
        asked: DayAsked,
        now: datetime,
        render: Callable[[Day], T],
    ) -> T:
        """The day as `render` shapes it, kept until something it shows changes."""
        timezone = asked.timezone
        if timezone is not None:
            zone(timezone)
        else:
            timezone = await schedules_service.timezone_of(session, customer.id)
        on = asked.on or local_date(now, timezone)

        async def load() -> T:
            return render(await self.day(session, customer, on, timezone))

        rendered: T = await RENDERED_DAYS.read(session, str(customer.id), (on, timezone), load)
        return rendered

    async def day(self, session: AsyncSession, customer: Actor, day: date, timezone: str) -> Day:
        followed = await schedules_service.followed_by(session, customer.id)
        started = [plan for plan in followed if plan.assignment.start_date <= day]
        logs = await logs_repository.on_day(session, customer.id, day)
        scheduled: list[tuple[PlanItem, str]] = [
            (item, plan.plan.type) for plan in started for item in items_on(plan, day)
        ]
        library = await exercises_service.by_names(
            session, [item.exercise for item, _ in scheduled if item.exercise]
        )
        swaps = await substitutions_service.of_items(
            session, customer.id, [item.id for item, _ in scheduled]
        )
        items = [
            ScheduledItem(
                item=item,
                item_type=subject_type_of(plan_type, library.get(_key(item))),
                exercise=swaps[item.id][1] if item.id in swaps else library.get(_key(item)),
                substitution=swaps[item.id][0] if item.id in swaps else None,
                log=logs.get(item.id),
            )
            for item, plan_type in scheduled
        ]
        own = await schedules_service.customer_habits(session, customer.id)
        habits = [
            HabitOfDay(habit=habit, log=logs.get(habit.id))
            for habit in [*(habit for plan in started for habit in plan.habits), *own]
        ]
        reason = None
        if not followed:
            reason = NO_PLAN
        elif not started:
            first = min(plan.assignment.start_date for plan in followed)
            reason = f"Your plan starts on {first.isoformat()}"
        elif not items:
            reason = REST_DAY
        return Day(
            date=day,
            timezone=timezone,
            rest_day=bool(started) and not items,
            reason=reason,
            items=items,
            habits=habits,
            totals=_totals(items),
        )


today_service = TodayService()
