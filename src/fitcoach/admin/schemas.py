from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from fitcoach.auth.passwords import PASSWORD_POLICY_DESCRIPTION, check_password_policy
from fitcoach.kit.envelope import ApiModel, StrictApiModel
from fitcoach.models.enums import Role
from fitcoach.subscriptions.schemas import SubscriptionOut
from fitcoach.users.schemas import NAME_DESCRIPTION, clean_name

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


UserSort = Literal["name", "-name", "createdAt", "-createdAt"]
# Customers sign themselves up; the console creates the staff who serve them.
StaffRole = Literal[Role.COACH, Role.ADMIN]


def _distinct(roles: list[Role]) -> list[Role]:
    if len(set(roles)) != len(roles):
        raise ValueError("Each role may be given once")
    return roles


class CreateUserIn(StrictApiModel):
    name: str = Field(description=NAME_DESCRIPTION)
    email: str | None = Field(default=None, min_length=3, max_length=254)
    phone: str | None = Field(default=None, min_length=1, max_length=32)
    password: str = Field(description=PASSWORD_POLICY_DESCRIPTION)
    roles: list[StaffRole] = Field(min_length=1, max_length=2, description="COACH and/or ADMIN")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_name(value)

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role]) -> list[Role]:
        return _distinct(value)

    @model_validator(mode="after")
    def _reachable(self) -> CreateUserIn:
        if self.email is None and self.phone is None:
            raise ValueError("Give an email or a phone, so the new user can sign in")
        return self


class SetRolesIn(StrictApiModel):
    roles: list[Role] = Field(
        min_length=1, max_length=3, description="The user's whole set of roles from now on"
    )

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role]) -> list[Role]:
        return _distinct(value)
