"""The exercise library: finding, reading, editing (coaches and admins), and the idempotent seed
of the shipped wger data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Exercise, ExerciseTag
from fitcoach.training.exercises.exceptions import ExerciseNotFound
from fitcoach.training.exercises.library import seed_exercises
from fitcoach.training.exercises.repository import (
    ExerciseFilter,
    exercises_repository,
    tags_of,
)
from fitcoach.training.exercises.rules import MovementPattern

# Exercises written here, not taken from wger: their data is ours to license.
OWN_LICENCE = "CC-BY-SA 4"
OWN_AUTHOR = "fitcoach"
_TAG_FIELDS = {
    "primary_muscles": "primary_muscle",
    "secondary_muscles": "secondary_muscle",
    "equipment": "equipment",
    "contraindications": "contraindication",
}


@dataclass(frozen=True)
class ExerciseWithAlternatives:
    exercise: Exercise
    alternatives: list[Exercise]


@dataclass(frozen=True, kw_only=True)
class ExerciseTags:
    primary_muscles: list[str] | None = None
    secondary_muscles: list[str] | None = None
    equipment: list[str] | None = None
    contraindications: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class ExerciseDraft(ExerciseTags):
    name: str
    category: str
    movement_pattern: MovementPattern
    instructions: str
    image_url: str | None = None
    video_url: str | None = None
    variation_group: str | None = None


@dataclass(frozen=True, kw_only=True)
class ExerciseChanges(ExerciseTags):
    """Only the fields in `given` change; a None name, instructions or pattern among them leaves
    it, a None URL removes the media, a None tag list empties it."""

    given: frozenset[str]
    name: str | None = None
    movement_pattern: MovementPattern | None = None
    instructions: str | None = None
    image_url: str | None = None
    video_url: str | None = None


def _tags(body: ExerciseTags, fields: set[str] | frozenset[str]) -> dict[str, list[str]]:
    return {
        kind: [str(value) for value in getattr(body, field) or []]
        for field, kind in _TAG_FIELDS.items()
        if field in fields
    }


def _audited_fields(exercise: Exercise) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": exercise.name,
        "movementPattern": exercise.movement_pattern,
        "instructions": exercise.instructions,
        "imageUrl": exercise.image_url,
        "videoUrl": exercise.video_url,
    }
    for field, kind in _TAG_FIELDS.items():
        fields[field] = exercise.tagged(kind)
    return fields


def _replace_tags(exercise: Exercise, replaced: dict[str, list[str]]) -> None:
    kept = [tag for tag in exercise.tags if tag.kind not in replaced]
    added = [
        ExerciseTag(kind=kind, value=value, position=position)
        for kind, values in replaced.items()
        for position, value in enumerate(dict.fromkeys(values))
    ]
    exercise.tags = kept + added


class ExercisesService:
    async def find(
        self, session: AsyncSession, where: ExerciseFilter, sort: str, page: PageRequest
    ) -> tuple[list[Exercise], int]:
        return await exercises_repository.list_page(session, where, sort, page)

    async def get(self, session: AsyncSession, exercise_id: uuid.UUID) -> Exercise:
        exercise = await exercises_repository.get(session, exercise_id)
        if exercise is None:
            raise ExerciseNotFound()
        return exercise

    async def with_alternatives(
        self, session: AsyncSession, exercise_id: uuid.UUID
    ) -> ExerciseWithAlternatives:
        exercise = await self.get(session, exercise_id)
        alternatives = await exercises_repository.alternatives(session, exercise)
        return ExerciseWithAlternatives(exercise=exercise, alternatives=alternatives)

    async def alternatives_of(self, session: AsyncSession, exercise: Exercise) -> list[Exercise]:
        return await exercises_repository.alternatives(session, exercise)

    async def by_names(self, session: AsyncSession, names: list[str]) -> dict[str, Exercise]:
        return await exercises_repository.by_names(session, names)

    async def create(self, session: AsyncSession, body: ExerciseDraft, now: datetime) -> Exercise:
        exercise = Exercise(
            name=body.name,
            category=body.category,
            movement_pattern=body.movement_pattern.value,
            instructions=body.instructions,
            image_url=body.image_url,
            video_url=body.video_url,
            variation_group=body.variation_group,
            licence=OWN_LICENCE,
            author=OWN_AUTHOR,
            created_at=now,
            updated_at=now,
            tags=[],
        )
        _replace_tags(exercise, _tags(body, set(_TAG_FIELDS)))
        exercises_repository.add(session, exercise)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="exercise.created",
                resource_type="exercise",
                resource_id=exercise.id,
                changes=changes_between({}, _audited_fields(exercise)),
            ),
            now,
        )
        return exercise

    async def update(
        self,
        session: AsyncSession,
        exercise_id: uuid.UUID,
        changes: ExerciseChanges,
        now: datetime,
    ) -> Exercise:
        exercise = await self.get(session, exercise_id)
        before = _audited_fields(exercise)
        given = changes.given
        # A null name or instructions leaves them; a null URL removes the media.
        if changes.name is not None:
            exercise.name = changes.name
        if changes.instructions is not None:
            exercise.instructions = changes.instructions
        for field in ("image_url", "video_url"):
            if field in given:
                setattr(exercise, field, getattr(changes, field))
        if changes.movement_pattern is not None:
            exercise.movement_pattern = changes.movement_pattern.value
        _replace_tags(exercise, _tags(changes, given & set(_TAG_FIELDS)))
        exercise.updated_at = now
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="exercise.updated",
                resource_type="exercise",
                resource_id=exercise.id,
                changes=changes_between(before, _audited_fields(exercise)),
            ),
            now,
        )
        return exercise

    async def seed_library(self, session: AsyncSession, now: datetime) -> int:
        """Insert the shipped exercises that are missing (by their wger id); how many were.
        Never overwrites a coach's edit of a seeded exercise."""
        seeds = seed_exercises()
        missing = await exercises_repository.missing_ids(session, [seed.id for seed in seeds])
        for seed in seeds:
            if seed.id not in missing:
                continue
            exercises_repository.add(
                session,
                Exercise(
                    id=seed.id,
                    name=seed.name,
                    category=seed.category,
                    movement_pattern=seed.movement_pattern,
                    instructions=seed.instructions,
                    variation_group=seed.variation_group,
                    licence=seed.licence,
                    author=seed.author,
                    created_at=now,
                    updated_at=now,
                    tags=tags_of(seed),
                ),
            )
        await session.flush()
        return len(missing)


exercises_service = ExercisesService()
