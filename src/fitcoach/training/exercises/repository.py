"""Every query on the exercise library. The library is public to anyone signed in, so there is no
reader filter; writes are checked by the endpoints' StaffUser."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, SortColumn, fetch_page, sort_order
from fitcoach.http.search import contains_text
from fitcoach.models import Exercise, ExerciseTag
from fitcoach.training.exercises.library import SeedExercise

_SORT_COLUMNS: dict[str, SortColumn] = {"name": Exercise.name, "createdAt": Exercise.created_at}
MUSCLE_KINDS = ("primary_muscle", "secondary_muscle")
MAX_ALTERNATIVES = 20


@dataclass(frozen=True)
class ExerciseFilter:
    q: str | None = None
    muscle: str | None = None
    equipment: str | None = None
    movement_pattern: str | None = None


def _tagged(kinds: Sequence[str], value: str) -> ColumnElement[bool]:
    return exists().where(
        ExerciseTag.exercise_id == Exercise.id,
        ExerciseTag.kind.in_(kinds),
        ExerciseTag.value == value,
    )


def tags_of(seed: SeedExercise) -> list[ExerciseTag]:
    groups = (
        ("primary_muscle", seed.primary_muscles),
        ("secondary_muscle", seed.secondary_muscles),
        ("equipment", seed.equipment),
        ("contraindication", seed.contraindications),
    )
    return [
        ExerciseTag(kind=kind, value=value, position=position)
        for kind, values in groups
        for position, value in enumerate(values)
    ]


class ExercisesRepository:
    async def list_page(
        self, session: AsyncSession, where: ExerciseFilter, sort: str, page: PageRequest
    ) -> tuple[list[Exercise], int]:
        statement: Select[Exercise] = select(Exercise)
        if where.q:
            statement = statement.where(contains_text(where.q, Exercise.name))
        if where.muscle:
            statement = statement.where(_tagged(MUSCLE_KINDS, where.muscle))
        if where.equipment:
            statement = statement.where(_tagged(("equipment",), where.equipment))
        if where.movement_pattern:
            statement = statement.where(Exercise.movement_pattern == where.movement_pattern)
        statement = statement.order_by(sort_order(sort, _SORT_COLUMNS), Exercise.id)
        return await fetch_page(session, statement, page)

    async def get(self, session: AsyncSession, exercise_id: uuid.UUID) -> Exercise | None:
        return await session.get(Exercise, exercise_id)

    async def by_names(self, session: AsyncSession, names: Sequence[str]) -> dict[str, Exercise]:
        """The library exercise of each name, keyed by the lower-cased name; plan items name
        their exercise, and of a duplicated name the oldest row wins."""
        lowered = sorted({name.lower() for name in names})
        if not lowered:
            return {}
        result = await session.scalars(
            select(Exercise)
            .where(func.lower(Exercise.name).in_(lowered))
            .order_by(Exercise.created_at.desc(), Exercise.id.desc())
        )
        return {exercise.name.lower(): exercise for exercise in result}

    async def alternatives(self, session: AsyncSession, exercise: Exercise) -> list[Exercise]:
        """Variations of the exercise, then others of its movement pattern that work one of its
        primary muscles; never the exercise itself."""
        primary = exercise.tagged("primary_muscle")
        related: list[ColumnElement[bool]] = []
        if exercise.variation_group:
            related.append(Exercise.variation_group == exercise.variation_group)
        if primary:
            related.append(
                (Exercise.movement_pattern == exercise.movement_pattern)
                & exists().where(
                    ExerciseTag.exercise_id == Exercise.id,
                    ExerciseTag.kind == "primary_muscle",
                    ExerciseTag.value.in_(primary),
                )
            )
        if not related:
            return []
        statement = select(Exercise).where(Exercise.id != exercise.id, or_(*related))
        # A CASE rather than ordering a boolean: PostgreSQL sorts its NULLs first when descending.
        order = (
            [case((Exercise.variation_group == exercise.variation_group, 0), else_=1)]
            if exercise.variation_group
            else []
        )
        result = await session.scalars(
            statement.order_by(*order, Exercise.name, Exercise.id).limit(MAX_ALTERNATIVES)
        )
        return list(result)

    def add(self, session: AsyncSession, exercise: Exercise) -> None:
        session.add(exercise)

    async def missing_ids(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        present = set(await session.scalars(select(Exercise.id).where(Exercise.id.in_(ids))))
        return set(ids) - present


exercises_repository = ExercisesRepository()
