from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.models import Subscription
from fitcoach.models.enums import SubscriptionType
from fitcoach.settings.schemas import FreeDays
from fitcoach.subscriptions.repository import Entitlements, SubscriptionTerm
from fitcoach.subscriptions.service import SubscriptionStatus, is_active


class EntitlementsOut(ApiModel):
    sessions_per_month: int
    custom_training_plan: bool
    custom_diet_plan: bool
    chat_access: bool

    @classmethod
    def of(cls, entitlements: Entitlements) -> EntitlementsOut:
        return cls(
            sessions_per_month=entitlements.sessions_per_month,
            custom_training_plan=entitlements.custom_training_plan,
            custom_diet_plan=entitlements.custom_diet_plan,
            chat_access=entitlements.chat_access,
        )


class SubscriptionOut(ApiModel):
    id: uuid.UUID
    type: SubscriptionType
    is_free: bool
    free_days: int | None
    days: int
    start_date: date
    end_date: date
    starts_at: datetime
    ends_at: datetime
    is_active: bool
    product_id: uuid.UUID | None = Field(description="The product bought; null if not bought")
    entitlements: EntitlementsOut

    @classmethod
    def of(cls, subscription: Subscription | SubscriptionTerm, now: datetime) -> SubscriptionOut:
        is_free = subscription.type == SubscriptionType.free.value
        entitlements = (
            subscription.entitlements
            if isinstance(subscription, SubscriptionTerm)
            else Entitlements.of(subscription)
        )
        return cls(
            id=subscription.id,
            type=SubscriptionType(subscription.type),
            is_free=is_free,
            free_days=subscription.days if is_free else None,
            days=subscription.days,
            start_date=subscription.starts_at.date(),
            end_date=subscription.ends_at.date(),
            starts_at=subscription.starts_at,
            ends_at=subscription.ends_at,
            is_active=is_active(subscription, now),
            product_id=subscription.product_id,
            entitlements=EntitlementsOut.of(entitlements),
        )


class SubscriptionStatusOut(ApiModel):
    is_subscribed: bool
    subscription: SubscriptionOut | None

    @classmethod
    def of(cls, status: SubscriptionStatus, now: datetime) -> SubscriptionStatusOut:
        return cls(
            is_subscribed=status.is_subscribed,
            subscription=SubscriptionOut.of(status.current, now) if status.current else None,
        )


class UserFreeDaysIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"userId": "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10", "freeDays": 30}]
        }
    )

    user_id: uuid.UUID
    free_days: FreeDays


class GrantSubscriptionIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"type": "paid", "days": 30}]})

    type: Literal["paid"]
    days: Annotated[int, Field(strict=True, ge=1, le=3650, description="1-3650")]


class SubscriptionGrantOut(ApiModel):
    subscription: SubscriptionOut
