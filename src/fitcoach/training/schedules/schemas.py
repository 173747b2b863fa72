"""Plan schedules, assignments, habits and the customer's time zone on the wire."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import NOT_NULL, label, of_kind
from fitcoach.training.schedules.rules import HABIT_UNITS, HabitKind, ScheduleKind
from fitcoach.training.schedules.service import AssignmentDraft, HabitDraft, ScheduleDraft


class ScheduleIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "cycle", "cycleDays": 4}],
            # cycleDays exactly for a cycle schedule.
            "oneOf": [
                of_kind(ScheduleKind.weekdays, cycleDays={"type": "null"}),
                of_kind(ScheduleKind.cycle, cycleDays=NOT_NULL, required=["cycleDays"]),
            ],
        }
    )

    kind: ScheduleKind = Field(
        description="weekdays: an item's day 1-7 is Monday-Sunday; cycle: day N of a repeating "
        "cycle of cycleDays days from the assignment's start date"
    )
    cycle_days: Annotated[int, Field(strict=True, ge=1, le=366)] | None = None

    @model_validator(mode="after")
    def _cycle_needs_length(self) -> Self:
        if self.kind is ScheduleKind.cycle and self.cycle_days is None:
            raise ValueError("cycleDays is required for a cycle schedule")
        if self.kind is ScheduleKind.weekdays and self.cycle_days is not None:
            raise ValueError("cycleDays applies only to a cycle schedule")
        return self

    def to_draft(self) -> ScheduleDraft:
        return ScheduleDraft(kind=self.kind, cycle_days=self.cycle_days)


class ScheduleOut(ApiModel):
    plan_id: uuid.UUID
    kind: ScheduleKind
    cycle_days: int | None


class AssignmentIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"customerId": "3f2b8c4e-6d1a-4e9b-9c7a-2b5d8e1f0a13", "startDate": "2026-12-07"}
            ]
        }
    )

    customer_id: uuid.UUID
    start_date: date

    def to_draft(self) -> AssignmentDraft:
        return AssignmentDraft(customer_id=self.customer_id, start_date=self.start_date)


class AssignmentOut(ApiModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    customer_id: uuid.UUID
    start_date: date


class HabitIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "water", "name": "Drink water", "target": 2500}],
            # A built-in kind's own unit, or none; a custom habit names its unit.
            "oneOf": [
                *[of_kind(kind, unit={"enum": [unit, None]}) for kind, unit in HABIT_UNITS.items()],
                of_kind(HabitKind.custom, unit=NOT_NULL, required=["unit"]),
            ],
        }
    )

    kind: HabitKind
    name: Annotated[str, label(120)]
    target: Annotated[float, Field(strict=True, gt=0, le=1_000_000)]
    unit: Annotated[str, label(16)] | None = Field(
        default=None, description="Fixed for water (ml), steps and sleep (h); required for custom"
    )

    @model_validator(mode="after")
    def _unitof_kind(self) -> Self:
        fixed = HABIT_UNITS.get(self.kind)
        if fixed is None and self.unit is None:
            raise ValueError("unit is required for a custom habit")
        if fixed is not None and self.unit not in (None, fixed):
            raise ValueError(f"a {self.kind.value} habit is counted in {fixed}")
        return self

    def to_draft(self) -> HabitDraft:
        return HabitDraft(kind=self.kind, name=self.name, target=self.target, unit=self.unit)


class HabitOut(ApiModel):
    id: uuid.UUID
    plan_id: uuid.UUID | None = Field(description="The plan's habit; null: the customer's own")
    customer_id: uuid.UUID | None
    kind: HabitKind
    name: str
    target: float
    unit: str


class TimezoneIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"timezone": "Africa/Cairo"}]})

    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TimezoneOut(ApiModel):
    timezone: str
