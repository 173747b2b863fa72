"""Substitutions on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.training.exercises.schemas import ExerciseOut


class SubstitutionIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "itemId": "7c1e9a52-0b3d-4f6e-8a21-5d9c3b7e4f10",
                    "alternativeId": "1a4d7e2b-9c6f-4b3a-8e5d-0f2c6a9b1d47",
                    "reason": "No barbell at home this week",
                }
            ]
        }
    )

    item_id: uuid.UUID
    alternative_id: uuid.UUID = Field(description="An exercise of the library")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class SubstitutionOut(ApiModel):
    id: uuid.UUID
    original_exercise: str
    reason: str
    created_at: datetime


class SubstitutedItemOut(ApiModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    day: int
    sets: int | None
    reps: str | None
    exercise: ExerciseOut = Field(description="The alternative now done instead")
    substitution: SubstitutionOut


class AlternativeOut(ApiModel):
    exercise: ExerciseOut
    reason: str = Field(description="Why it can replace the item's exercise")
