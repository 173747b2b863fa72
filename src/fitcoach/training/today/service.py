"""A customer's day in their own time zone: what their plans schedule, what they logged, and the
day's totals. No plan is an empty day with the reason, not an error."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Actor, Exercise, ItemLog, ItemSubstitution, PlanItem
from fitcoach.training.completion.metrics import volume_kg
from fitcoach.training.completion.service import subject_type_of
from fitcoach.training.exercises.service import exercises_service
from fitcoach.training.logs.repository import logs_repository
from fitcoach.training.schedules.days import items_on
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.substitutions.schemas import SubstitutionOut
from fitcoach.training.substitutions.service import substitutions_service
from fitcoach.training.timezones import local_date, zone
from fitcoach.training.today.schemas import (
    ExerciseMediaOut,
    LogOut,
    TodayHabitOut,
    TodayItemOut,
    TodayOut,
    TotalsOut,
)

NO_PLAN = "No plan has been assigned to you yet"
REST_DAY = "Rest day: nothing is scheduled"
_PENDING = LogOut(status="pending", logged_at=None, metrics={}, feedback=None)


def _log_out(log: ItemLog | None) -> LogOut:
    if log is None:
        return _PENDING
    return LogOut(
        status=log.status, logged_at=log.logged_at, metrics=log.metrics, feedback=log.feedback
    )


def _media(exercise: Exercise | None) -> ExerciseMediaOut | None:
    return ExerciseMediaOut.model_validate(exercise) if exercise is not None else None


def _swap_out(substitution: ItemSubstitution, item: PlanItem) -> SubstitutionOut:
    return SubstitutionOut(
        id=substitution.id,
        original_exercise=item.exercise or "",
        reason=substitution.reason,
        created_at=substitution.created_at,
    )


def _key(item: PlanItem) -> str:
    return (item.exercise or "").lower()


def _amount(metrics: dict[str, Any], key: str) -> float:
    value = metrics.get(key)
    return float(value["value"]) if isinstance(value, dict) else 0.0


def _totals(items: list[TodayItemOut]) -> TotalsOut:
    logged = [item.log.metrics for item in items if item.log.status == "completed"]
    return TotalsOut(
        planned_calories=sum(item.calories or 0 for item in items),
        logged_calories=sum(_amount(metrics, "calories") for metrics in logged),
        planned_protein_g=sum(item.protein_g or 0 for item in items),
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
    ) -> TodayOut:
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
            TodayItemOut(
                id=item.id,
                plan_id=item.plan_id,
                item_type=subject_type_of(plan_type, library.get(_key(item))).value,
                name=item.exercise or item.meal or "",
                sets=item.sets,
                reps=item.reps,
                rest_seconds=item.rest_seconds,
                calories=item.calories,
                protein_g=item.protein_g,
                notes=item.notes,
                media_url=item.media_url,
                exercise=_media(swaps[item.id][1] if item.id in swaps else library.get(_key(item))),
                substitution=_swap_out(swaps[item.id][0], item) if item.id in swaps else None,
                log=_log_out(logs.get(item.id)),
            )
            for item, plan_type in scheduled
        ]
        own = await schedules_service.customer_habits(session, customer.id)
        habits = [
            TodayHabitOut(
                id=habit.id,
                plan_id=habit.plan_id,
                kind=habit.kind,
                name=habit.name,
                target=habit.target,
                unit=habit.unit,
                log=_log_out(logs.get(habit.id)),
            )
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
        return TodayOut(
            date=day,
            timezone=timezone,
            rest_day=bool(started) and not items,
            reason=reason,
            items=items,
            habits=habits,
            totals=_totals(items),
        )


today_service = TodayService()
