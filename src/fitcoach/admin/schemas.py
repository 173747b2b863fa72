from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from fitcoach.kit.envelope import ApiModel, StrictApiModel
from fitcoach.subscriptions.schemas import SubscriptionOut

# Strict, so that `true` or "7" is rejected instead of silently becoming 1 or 7.
FreeDays = Annotated[int, Field(strict=True, ge=0, le=365, description="0-365")]


class DefaultFreeDaysIn(StrictApiModel):
    days: FreeDays


class DefaultPlanIn(StrictApiModel):
    plan_id: uuid.UUID = Field(description="A template plan of the matching type")


class UserFreeDaysIn(StrictApiModel):
    user_id: uuid.UUID
    free_days: FreeDays


class GrantSubscriptionIn(StrictApiModel):
    type: Literal["paid"]
    days: Annotated[int, Field(strict=True, ge=1, le=3650, description="1-3650")]


class SettingsOut(ApiModel):
    settings: dict[str, str | None] = Field(
        description="DEFAULT_FREE_DAYS, DEFAULT_TRAINING_PLAN_ID, DEFAULT_DIET_PLAN_ID"
    )


class SubscriptionGrantOut(ApiModel):
    subscription: SubscriptionOut
