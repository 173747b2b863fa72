from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
)

from fitcoach.http.envelope import HTTP_URL, ApiModel, StrictApiModel
from fitcoach.http.fields import http_url, label
from fitcoach.models import Plan, PlanItem
from fitcoach.models.enums import PlanType, SubscriptionType
from fitcoach.plans.repository import PlanItemView, PlanView
from fitcoach.plans.service import DietItem, PlanChanges, PlanDraft, PlanSource, TrainingItem

MAX_ITEMS = 500
MEDIA_URL_MESSAGE = "mediaUrl must be an http or https URL"

# Numbers are strict so that `true` or "12" is rejected instead of silently becoming 1 or 12.
Day = Annotated[int, Field(strict=True, ge=1, le=366)]
Grams = Annotated[float, Field(strict=True, ge=0, le=2000)]
PlanName = Annotated[str, label(120)]
Description = Annotated[str, Field(max_length=5000)]
Notes = Annotated[str, Field(max_length=2000)]
MediaUrl = Annotated[
    str, Field(max_length=2048, json_schema_extra=HTTP_URL), http_url(MEDIA_URL_MESSAGE)
]


class _PlanItemIn(StrictApiModel):
    day: Day
    notes: Notes | None = None
    media_url: MediaUrl | None = None


class TrainingItemIn(_PlanItemIn):
    exercise: Annotated[str, label(120)]
    sets: Annotated[int, Field(strict=True, ge=1, le=100)]
    reps: Annotated[str, label(32)] = Field(description='A count or a range, e.g. "8-12"')
    rest_seconds: Annotated[int, Field(strict=True, ge=0, le=3600)] | None = None

    def to_item(self) -> TrainingItem:
        return TrainingItem(**self.model_dump())


class DietItemIn(_PlanItemIn):
    meal: Annotated[str, label(120)]
    foods: list[Annotated[str, label(200)]] = Field(min_length=1, max_length=50)
    calories: Annotated[int, Field(strict=True, ge=0, le=10000)]
    protein_g: Grams | None = None
    carbs_g: Grams | None = None
    fat_g: Grams | None = None

    def to_item(self) -> DietItem:
        return DietItem(**self.model_dump())


class _PlanIn(StrictApiModel):
    type: str
    name: PlanName
    description: Description | None = None
    user_id: uuid.UUID | None = Field(
        default=None, description="Makes it a custom plan of this customer; omit for a template"
    )
    items: list[TrainingItemIn] | list[DietItemIn]

    def to_draft(self) -> PlanDraft:
        return PlanDraft(
            type=PlanType(self.type),
            name=self.name,
            description=self.description,
            owner_id=self.user_id,
            items=[item.to_item() for item in self.items],
        )


class TrainingPlanIn(_PlanIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "training",
                    "name": "Beginner full body",
                    "items": [
                        {
                            "day": 1,
                            "exercise": "Goblet squat",
                            "sets": 3,
                            "reps": "10-12",
                            "restSeconds": 90,
                        }
                    ],
                }
            ]
        }
    )

    type: Literal["training"]
    items: list[TrainingItemIn] = Field(max_length=MAX_ITEMS, description="In display order")


class DietPlanIn(_PlanIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "diet",
                    "name": "Balanced 2,000 kcal",
                    "items": [
                        {
                            "day": 1,
                            "meal": "Breakfast",
                            "foods": ["Oats", "Greek yogurt"],
                            "calories": 450,
                            "proteinG": 30,
                        }
                    ],
                }
            ]
        }
    )

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
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Beginner full body, v2"}]})

    name: PlanName | None = None
    description: Description | None = Field(default=None, description="null clears it")
    items: list[PlanItemIn] | None = Field(
        default=None,
        max_length=MAX_ITEMS,
        description="Replaces every item, in display order; each of the plan's type",
    )

    never_null = frozenset({"name", "items"})

    def to_changes(self) -> PlanChanges:
        return PlanChanges(
            given=frozenset(self.model_fields_set),
            name=self.name,
            description=self.description,
            items=[item.to_item() for item in self.items] if self.items is not None else None,
        )


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


class _PlanFields(ApiModel):
    id: uuid.UUID
    type: PlanType
    name: str
    description: str | None
    user_id: uuid.UUID | None = Field(description="The customer of a custom plan; null: template")
    author_id: uuid.UUID | None
    is_template: bool

    @staticmethod
    def fields_of(plan: Plan | PlanView) -> dict[str, Any]:
        return {
            "id": plan.id,
            "type": PlanType(plan.type),
            "name": plan.name,
            "description": plan.description,
            "user_id": plan.owner_id,
            "author_id": plan.author_id,
            "is_template": plan.owner_id is None,
            "created_at": plan.created_at,
            "updated_at": plan.updated_at,
        }


class PlanSummaryOut(_PlanFields):
    item_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, plan: Plan, item_count: int) -> PlanSummaryOut:
        return cls(**cls.fields_of(plan), item_count=item_count)


class PlanOut(_PlanFields):
    items: list[TrainingItemOut | DietItemOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, plan: Plan | PlanView) -> PlanOut:
        items = [_item_out(plan.type, item) for item in plan.items]
        return cls(**cls.fields_of(plan), items=items)


class PlanForUserOut(ApiModel):
    plan: PlanOut
    source: PlanSource = Field(description="custom: assigned to the user; default: the fallback")
    subscription_type: SubscriptionType


class DefaultPlanIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"planId": "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10"}]}
    )

    plan_id: uuid.UUID = Field(description="A template plan of the matching type")
