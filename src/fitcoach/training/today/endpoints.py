"""The customer's day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.models import Exercise, ItemLog
from fitcoach.training.dependencies import CustomerRead
from fitcoach.training.substitutions.schemas import SubstitutionOut
from fitcoach.training.today.schemas import (
    ExerciseMediaOut,
    LogOut,
    TodayHabitOut,
    TodayItemOut,
    TodayOut,
    TotalsOut,
)
from fitcoach.training.today.service import Day, DayAsked, ScheduledItem, today_service

router = APIRouter(tags=["training"])
_PENDING = LogOut(status="pending", logged_at=None, metrics={}, feedback=None)


@router.get(
    "/plans/today",
    response_model=DataEnvelope[TodayOut],
    responses=error_responses(401, 403, 422),
    summary=(
        "Your day in your time zone: scheduled workouts, meals and habits with what you logged, "
        "media and totals (customers)"
    ),
)
async def plans_today(
    caller: CustomerRead,
    on: Annotated[date | None, Query(alias="date", description="Default: today")] = None,
    timezone: Annotated[
        str | None,
        Query(max_length=64, description="An IANA zone; default: your profile's"),
    ] = None,
) -> Response:
    # Rendered once to the JSON the customer receives: the cache keeps immutable bytes, and a
    # repeated read serialises nothing.
    def render(day: Day) -> bytes:
        return ok(_today_out(day)).model_dump_json(by_alias=True).encode()

    rendered = await today_service.rendered_day(
        caller.session, caller.user, DayAsked(on, timezone), caller.now, render
    )
    return Response(content=rendered, media_type="application/json")


def _log_out(log: ItemLog | None) -> LogOut:
    if log is None:
        return _PENDING
    return LogOut(
        status=log.status, logged_at=log.logged_at, metrics=log.metrics, feedback=log.feedback
    )


def _media(exercise: Exercise | None) -> ExerciseMediaOut | None:
    return ExerciseMediaOut.model_validate(exercise) if exercise is not None else None


def _item_out(scheduled: ScheduledItem) -> TodayItemOut:
    item, substitution = scheduled.item, scheduled.substitution
    return TodayItemOut(
        id=item.id,
        plan_id=item.plan_id,
        item_type=scheduled.item_type.value,
        name=item.exercise or item.meal or "",
        sets=item.sets,
        reps=item.reps,
        rest_seconds=item.rest_seconds,
        calories=item.calories,
        protein_g=item.protein_g,
        notes=item.notes,
        media_url=item.media_url,
        exercise=_media(scheduled.exercise),
        substitution=None
        if substitution is None
        else SubstitutionOut(
            id=substitution.id,
            original_exercise=item.exercise or "",
            reason=substitution.reason,
            created_at=substitution.created_at,
        ),
        log=_log_out(scheduled.log),
    )


def _today_out(day: Day) -> TodayOut:
    return TodayOut(
        date=day.date,
        timezone=day.timezone,
        rest_day=day.rest_day,
        reason=day.reason,
        items=[_item_out(one) for one in day.items],
        habits=[
            TodayHabitOut(
                id=one.habit.id,
                plan_id=one.habit.plan_id,
                kind=one.habit.kind,
                name=one.habit.name,
                target=one.habit.target,
                unit=one.habit.unit,
                log=_log_out(one.log),
            )
            for one in day.habits
        ],
        totals=TotalsOut(
            planned_calories=day.totals.planned_calories,
            logged_calories=day.totals.logged_calories,
            planned_protein_g=day.totals.planned_protein_g,
            logged_protein_g=day.totals.logged_protein_g,
            workout_volume_kg=day.totals.workout_volume_kg,
        ),
    )
