from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    HttpUrl,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.models import Plan, PlanItem
from fitcoach.models.enums import PlanType, SubscriptionType
from fitcoach.plans.repository import PlanItemView, PlanView

MAX_ITEMS = 500
MEDIA_URL_MESSAGE = "mediaUrl must be an http or https URL"

_http_url = TypeAdapter(HttpUrl)


def _check_media_url(value: str) -> str:
    """Validated as an http(s) URL but stored as sent, so clients get back exactly their link."""
    try:
        _http_url.validate_python(value)
    except ValidationError as exc:
        raise ValueError(MEDIA_URL_MESSAGE) from exc
    return value


def _label(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


# Numbers are strict so that `true` or "12" is rejected instead of silently becoming 1 or 12.
Day = Annotated[int, Field(strict=True, ge=1, le=366)]
Grams = Annotated[float, Field(strict=True, ge=0, le=2000)]
PlanName = Annotated[str, _label(120)]
Description = Annotated[str, Field(max_length=5000)]
Notes = Annotated[str, Field(max_length=2000)]
MediaUrl = Annotated[str, Field(max_length=2048), AfterValidator(_check_media_url)]


class _PlanItemIn(StrictApiModel):
    day: Day
    notes: Notes | None = None
    media_url: MediaUrl | None = None


class TrainingItemIn(_PlanItemIn):
    exercise: Annotated[str, _label(120)]
    sets: Annotated[int, Field(strict=True, ge=1, le=100)]
    reps: Annotated[str, _label(32)] = Field(description='A count or a range, e.g. "8-12"')
    rest_seconds: Annotated[int, Field(strict=True, ge=0, le=3600)] | None = None


class DietItemIn(_PlanItemIn):
    meal: Annotated[str, _label(120)]
    foods: list[Annotated[str, _label(200)]] = Field(min_length=1, max_length=50)
    calories: Annotated[int, Field(strict=True, ge=0, le=10000)]
    protein_g: Grams | None = None
    carbs_g: Grams | None = None
    fat_g: Grams | None = None


ITEM_MODELS: dict[PlanType, type[TrainingItemIn] | type[DietItemIn]] = {
    PlanType.training: TrainingItemIn,
    PlanType.diet: DietItemIn,
}


class _PlanIn(StrictApiModel):
    type: str
    name: PlanName
    description: Description | None = None
    user_id: uuid.UUID | None = Field(
        default=None, description="Makes it a custom plan of this customer; omit for a template"
    )


class TrainingPlanIn(_PlanIn):
    type: Literal["training"]
    items: list[TrainingItemIn] = Field(max_length=MAX_ITEMS, description="In display order")


class DietPlanIn(_PlanIn):
    type: Literal["diet"]
    items: list[DietItemIn] = Field(max_length=MAX_ITEMS, description="In display order")


def _plan_type(body: Any) -> str | None:
    if isinstance(body, _PlanIn):
        return body.type
    kind = body.get("type") if isinstance(body, dict) else None
    return kind if isinstance(kind, str) else None


PlanIn = Annotated[
    Annotated[TrainingPlanIn, Tag(PlanType.training.value)]
    | Annotated[DietPlanIn, Tag(PlanType.diet.value)],
    Discriminator(
        _plan_type,
        custom_error_type="plan_type",
        custom_error_message="type must be 'training' or 'diet'",
    ),
]


def _item_shape(item: Any) -> str | None:
    """An update does not repeat the plan's type, so each item is validated by its own shape and
    the service then checks the shape against the plan."""
    if isinstance(item, _PlanItemIn):
        return PlanType.training.value if isinstance(item, TrainingItemIn) else PlanType.diet.value
    if isinstance(item, dict):
        if "exercise" in item:
            return PlanType.training.value
        if "meal" in item:
            return PlanType.diet.value
    return None


PlanItemIn = Annotated[
    Annotated[TrainingItemIn, Tag(PlanType.training.value)]
    | Annotated[DietItemIn, Tag(PlanType.diet.value)],
    Discriminator(
        _item_shape,
        custom_error_type="plan_item_shape",
        custom_error_message="Each item needs an exercise (training plan) or a meal (diet plan)",
    ),
]


class PlanUpdateIn(StrictApiModel):
    name: PlanName | None = None
    description: Description | None = Field(default=None, description="null clears it")
    items: list[PlanItemIn] | None = Field(
        default=None,
        max_length=MAX_ITEMS,
        description="Replaces every item, in display order; each of the plan's type",
    )

    @field_validator("name", "items")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return value


class PlanSource(StrEnum):
    custom = "custom"
    default = "default"


PlanSort = Literal["createdAt", "-createdAt", "name", "-name"]


class _PlanItemOut(ApiModel):
    id: uuid.UUID
    position: int
    day: int


class TrainingItemOut(_PlanItemOut):
    exercise: str
    sets: int
    reps: str
    rest_seconds: int | None
    notes: str | None
    media_url: str | None


class DietItemOut(_PlanItemOut):
    meal: str
    foods: list[str]
    calories: int
    protein_g: float | None
    carbs_g: float | None
    fat_g: float | None
    notes: str | None
    media_url: str | None


def _item_out(plan_type: str, item: PlanItem | PlanItemView) -> TrainingItemOut | DietItemOut:
    if plan_type == PlanType.training:
        return TrainingItemOut.model_validate(item)
    return DietItemOut.model_validate(item)


class PlanSummaryOut(ApiModel):
    id: uuid.UUID
    type: PlanType
    name: str
    description: str | None
    user_id: uuid.UUID | None = Field(description="The customer of a custom plan; null: template")
    author_id: uuid.UUID | None
    is_template: bool
    item_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, plan: Plan, item_count: int) -> PlanSummaryOut:
        return cls(
            id=plan.id,
            type=PlanType(plan.type),
            name=plan.name,
            description=plan.description,
            user_id=plan.owner_id,
            author_id=plan.author_id,
            is_template=plan.owner_id is None,
            item_count=item_count,
            created_at=plan.created_at,
            updated_at=plan.updated_at,
        )


class PlanOut(ApiModel):
    id: uuid.UUID
    type: PlanType
    name: str
    description: str | None
    user_id: uuid.UUID | None = Field(description="The customer of a custom plan; null: template")
    author_id: uuid.UUID | None
    is_template: bool
    items: list[TrainingItemOut | DietItemOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, plan: Plan | PlanView) -> PlanOut:
        return cls(
            id=plan.id,
            type=PlanType(plan.type),
            name=plan.name,
            description=plan.description,
            user_id=plan.owner_id,
            author_id=plan.author_id,
            is_template=plan.owner_id is None,
            items=[_item_out(plan.type, item) for item in plan.items],
            created_at=plan.created_at,
            updated_at=plan.updated_at,
        )


class PlanForUserOut(ApiModel):
    plan: PlanOut
    source: PlanSource = Field(description="custom: assigned to the user; default: the fallback")
    subscription_type: SubscriptionType


class DefaultPlanIn(StrictApiModel):
    plan_id: uuid.UUID = Field(description="A template plan of the matching type")
