"""What a customer may log for each kind of item, with units: sets, reps and weight for strength;
duration and distance for cardio; RPE 1-10 for both; calories and macros for a meal; the
habit's own unit for a habit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from fitcoach.http.envelope import StrictApiModel
from fitcoach.training.exceptions import InvalidMetrics

Amount = Annotated[float, Field(strict=False, ge=0, le=100_000)]
Rpe = Annotated[int, Field(strict=True, ge=1, le=10)]


class LogStatus(StrEnum):
    pending = "pending"
    completed = "completed"
    skipped = "skipped"


class SubjectType(StrEnum):
    strength = "strength"
    cardio = "cardio"
    meal = "meal"
    habit = "habit"


class Weight(StrictApiModel):
    value: Amount
    unit: Literal["kg", "lb"]


class Duration(StrictApiModel):
    value: Amount
    unit: Literal["s", "min", "h"]


class Distance(StrictApiModel):
    value: Amount
    unit: Literal["m", "km", "mi"]


class Energy(StrictApiModel):
    value: Amount
    unit: Literal["kcal"]


class Mass(StrictApiModel):
    value: Amount
    unit: Literal["g"]


class StrengthMetrics(StrictApiModel):
    sets: Annotated[int, Field(strict=True, ge=1, le=100)] | None = None
    reps: Annotated[int, Field(strict=True, ge=1, le=1000)] | None = None
    weight: Weight | None = None
    rpe: Rpe | None = None


class CardioMetrics(StrictApiModel):
    duration: Duration | None = None
    distance: Distance | None = None
    rpe: Rpe | None = None


class MealMetrics(StrictApiModel):
    calories: Energy | None = None
    protein: Mass | None = None
    carbs: Mass | None = None
    fat: Mass | None = None


class HabitMetrics(StrictApiModel):
    value: Amount | None = None
    unit: str | None = None


_ADAPTERS: dict[SubjectType, TypeAdapter[Any]] = {
    SubjectType.strength: TypeAdapter(StrengthMetrics),
    SubjectType.cardio: TypeAdapter(CardioMetrics),
    SubjectType.meal: TypeAdapter(MealMetrics),
    SubjectType.habit: TypeAdapter(HabitMetrics),
}
_TO_KG = {"kg": 1.0, "lb": 0.45359237}


def validated_metrics(
    subject: SubjectType, metrics: dict[str, Any], habit_unit: str | None = None
) -> dict[str, Any]:
    """The metrics as stored (camelCase, without unset fields), or 422 naming each problem."""
    try:
        model = _ADAPTERS[subject].validate_python(metrics)
    except ValidationError as exc:
        problems = [
            f"metrics.{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
        raise InvalidMetrics(subject.value, problems) from exc
    if isinstance(model, HabitMetrics) and model.unit not in (None, habit_unit):
        raise InvalidMetrics(
            subject.value, [f"metrics.unit: this habit is counted in {habit_unit}"]
        )
    stored: dict[str, Any] = model.model_dump(by_alias=True, exclude_none=True)
    return stored


def volume_kg(metrics: dict[str, Any]) -> float:
    """Sets x reps x weight of a logged strength item, in kilograms."""
    weight = metrics.get("weight")
    if not weight or "sets" not in metrics or "reps" not in metrics:
        return 0.0
    return float(metrics["sets"] * metrics["reps"] * weight["value"] * _TO_KG[weight["unit"]])
