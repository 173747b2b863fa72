"""A customer's day in their own time zone: what their plans schedule, what they logged, and the
day's totals. No plan is an empty day with the reason, not an error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Actor, Exercise, Habit, ItemLog, ItemSubstitution, PlanItem
from fitcoach.training.completion.metrics import SubjectType, volume_kg
from fitcoach.training.completion.service import subject_type_of
from fitcoach.training.exercises.service import exercises_service
from fitcoach.training.logs.repository import logs_repository
from fitcoach.training.schedules.days import items_on
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.substitutions.service import substitutions_service
from fitcoach.training.timezones import local_date, zone

NO_PLAN = "No plan has been assigned to you yet"
REST_DAY = "Rest day: nothing is scheduled"


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


class TodayService:
    async def day(
        self,
        session: AsyncSession,
        customer: Actor,
        on: date | None,
        timezone: str | None,
        now: datetime,
    ) -> Day:
        if timezone is not None:
            zone(timezone)
        else:
            timezone = await schedules_service.timezone_of(session, customer.id)
        day = on or local_date(now, timezone)
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
