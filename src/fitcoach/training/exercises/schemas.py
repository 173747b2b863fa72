"""The exercise library on the wire."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
)

from fitcoach.http.envelope import HTTP_URL, ApiModel, StrictApiModel
from fitcoach.http.fields import http_url
from fitcoach.models import Exercise
from fitcoach.training.exercises.rules import Equipment, HealthFlag, MovementPattern
from fitcoach.training.exercises.service import ExerciseChanges, ExerciseDraft

MediaUrl = Annotated[
    str,
    Field(max_length=2048, json_schema_extra=HTTP_URL),
    http_url("must be an http or https URL"),
]
Muscle = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z_]{2,48}$")
]
ExerciseSort = Literal["name", "-name", "createdAt", "-createdAt"]


class ExerciseOut(ApiModel):
    id: uuid.UUID
    name: str
    category: str
    movement_pattern: MovementPattern
    instructions: str
    image_url: str | None
    video_url: str | None
    primary_muscles: list[str]
    secondary_muscles: list[str]
    equipment: list[str] = Field(description="Empty: the source did not say")
    contraindications: list[str] = Field(
        description="The intake's health flags for which this exercise is unsafe"
    )
    variation_group: str | None
    licence: str = Field(description="The Creative Commons licence of the exercise's data")
    author: str

    @classmethod
    def of(cls, exercise: Exercise) -> ExerciseOut:
        return cls(
            id=exercise.id,
            name=exercise.name,
            category=exercise.category,
            movement_pattern=MovementPattern(exercise.movement_pattern),
            instructions=exercise.instructions,
            image_url=exercise.image_url,
            video_url=exercise.video_url,
            primary_muscles=exercise.tagged("primary_muscle"),
            secondary_muscles=exercise.tagged("secondary_muscle"),
            equipment=exercise.tagged("equipment"),
            contraindications=exercise.tagged("contraindication"),
            variation_group=exercise.variation_group,
            licence=exercise.licence,
            author=exercise.author,
        )


class ExerciseDetailOut(ExerciseOut):
    alternatives: list[ExerciseOut] = Field(
        description="Variations first, then the same movement pattern on a shared muscle"
    )


class ExerciseIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Goblet squat",
                    "category": "legs",
                    "movementPattern": "squat",
                    "instructions": "Hold a dumbbell at your chest, sit back, drive up.",
                    "primaryMuscles": ["quadriceps"],
                    "secondaryMuscles": ["glutes"],
                    "equipment": ["dumbbells"],
                    "contraindications": ["joint_or_back_pain"],
                }
            ]
        }
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
    category: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=32)
    ]
    movement_pattern: MovementPattern
    instructions: Annotated[str, StringConstraints(min_length=1, max_length=5000)]
    image_url: MediaUrl | None = None
    video_url: MediaUrl | None = None
    primary_muscles: list[Muscle] = Field(min_length=1, max_length=10)
    secondary_muscles: list[Muscle] = Field(default_factory=list, max_length=10)
    equipment: list[Equipment] = Field(default_factory=list, max_length=10)
    contraindications: list[HealthFlag] = Field(default_factory=list, max_length=10)
    variation_group: Annotated[str, StringConstraints(max_length=64)] | None = None

    def to_draft(self) -> ExerciseDraft:
        return ExerciseDraft(
            name=self.name,
            category=self.category,
            movement_pattern=self.movement_pattern,
            instructions=self.instructions,
            image_url=self.image_url,
            video_url=self.video_url,
            variation_group=self.variation_group,
            **_tag_lists(self),
        )


class ExerciseUpdateIn(StrictApiModel):
    """Only the fields sent change; licence and author stay those of the source."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "instructions": "Keep the chest up and the knees over the toes.",
                    "equipment": ["dumbbells", "kettlebell"],
                }
            ]
        }
    )

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
        | None
    ) = None
    movement_pattern: MovementPattern | None = None
    instructions: Annotated[str, StringConstraints(min_length=1, max_length=5000)] | None = None
    image_url: MediaUrl | None = None
    video_url: MediaUrl | None = None
    primary_muscles: list[Muscle] | None = Field(default=None, min_length=1, max_length=10)
    secondary_muscles: list[Muscle] | None = Field(default=None, max_length=10)
    equipment: list[Equipment] | None = Field(default=None, max_length=10)
    contraindications: list[HealthFlag] | None = Field(default=None, max_length=10)

    def to_changes(self) -> ExerciseChanges:
        return ExerciseChanges(
            given=frozenset(self.model_fields_set),
            name=self.name,
            movement_pattern=self.movement_pattern,
            instructions=self.instructions,
            image_url=self.image_url,
            video_url=self.video_url,
            **_tag_lists(self),
        )


def _tag_lists(body: ExerciseIn | ExerciseUpdateIn) -> dict[str, list[str] | None]:
    """The tag lists as plain strings, None where not given."""
    return {
        field: None if values is None else [str(value) for value in values]
        for field in ("primary_muscles", "secondary_muscles", "equipment", "contraindications")
        for values in [getattr(body, field)]
    }
