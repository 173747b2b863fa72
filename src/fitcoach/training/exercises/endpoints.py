"""The exercise library: anyone signed in finds and reads exercises; coaches and admins edit."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentUser, StaffUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import ExerciseIdPath
from fitcoach.training.exercises.dependencies import ExerciseFilterDep
from fitcoach.training.exercises.schemas import (
    ExerciseDetailOut,
    ExerciseIn,
    ExerciseOut,
    ExerciseSort,
    ExerciseUpdateIn,
)
from fitcoach.training.exercises.service import exercises_service

router = APIRouter(prefix="/exercises", tags=["exercises"])


@router.get(
    "",
    response_model=DataEnvelope[Page[ExerciseOut]],
    responses=error_responses(401, 422),
    summary="Find exercises by name, muscle, equipment or movement pattern (anyone signed in)",
)
async def list_exercises(
    _caller: CurrentUser,
    session: ReadSession,
    page: PageRequestDep,
    where: ExerciseFilterDep,
    sort: ExerciseSort = "name",
) -> DataEnvelope[Page[ExerciseOut]]:
    exercises, total = await exercises_service.find(session, where, sort, page)
    return ok(Page[ExerciseOut].of([ExerciseOut.of(one) for one in exercises], total, page))


@router.get(
    "/{exerciseId}",
    response_model=DataEnvelope[ExerciseDetailOut],
    responses=error_responses(401, 404, 422),
    summary="An exercise with its alternatives (anyone signed in)",
)
async def get_exercise(
    exercise_id: ExerciseIdPath, _caller: CurrentUser, session: ReadSession
) -> DataEnvelope[ExerciseDetailOut]:
    found = await exercises_service.with_alternatives(session, exercise_id)
    return ok(
        ExerciseDetailOut(
            **ExerciseOut.of(found.exercise).model_dump(),
            alternatives=[ExerciseOut.of(one) for one in found.alternatives],
        )
    )


@router.post(
    "",
    response_model=DataEnvelope[ExerciseOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 422),
    summary="Add an exercise to the library (coaches and admins)",
)
async def create_exercise(
    body: ExerciseIn, _staff: StaffUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[ExerciseOut]:
    return ok(ExerciseOut.of(await exercises_service.create(session, body.to_draft(), clock.now())))


@router.patch(
    "/{exerciseId}",
    response_model=DataEnvelope[ExerciseOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change an exercise of the library (coaches and admins)",
)
async def update_exercise(
    exercise_id: ExerciseIdPath,
    body: ExerciseUpdateIn,
    _staff: StaffUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[ExerciseOut]:
    exercise = await exercises_service.update(session, exercise_id, body.to_changes(), clock.now())
    return ok(ExerciseOut.of(exercise))
