"""A customer's day on the wire."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field

from fitcoach.http.envelope import ApiModel
from fitcoach.training.substitutions.schemas import SubstitutionOut


class LogOut(ApiModel):
    status: str = Field(description="pending, completed or skipped")
    logged_at: dt.datetime | None
    metrics: dict[str, Any]
    feedback: str | None


class ExerciseMediaOut(ApiModel):
    id: uuid.UUID
    name: str
    image_url: str | None
    video_url: str | None
    licence: str
    author: str


class TodayItemOut(ApiModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    item_type: str = Field(description="strength, cardio or meal")
    name: str
    sets: int | None
    reps: str | None
    rest_seconds: int | None
    calories: int | None
    protein_g: float | None
    notes: str | None
    media_url: str | None
    exercise: ExerciseMediaOut | None = Field(description="The substitute, when there is one")
    substitution: SubstitutionOut | None
    log: LogOut


class TodayHabitOut(ApiModel):
    id: uuid.UUID
    plan_id: uuid.UUID | None = Field(description="null: the customer's own habit")
    kind: str
    name: str
    target: float
    unit: str
    log: LogOut


class TotalsOut(ApiModel):
    planned_calories: int
    logged_calories: float
    planned_protein_g: float
    logged_protein_g: float
    workout_volume_kg: float = Field(description="Sets x reps x weight of the logged strength work")


class TodayOut(ApiModel):
    date: dt.date
    timezone: str
    rest_day: bool
    reason: str | None = Field(description="Why the day is empty, when it is")
    items: list[TodayItemOut]
    habits: list[TodayHabitOut]
    totals: TotalsOut
