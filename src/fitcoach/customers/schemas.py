from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from fitcoach.customers.service import ProfileChanges
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import not_null
from fitcoach.models.enums import Gender
from fitcoach.models.vocabulary import Goal, RiskFlag
from fitcoach.subscriptions.schemas import SubscriptionStatusOut
from fitcoach.users.schemas import NAME_DESCRIPTION, BodyMetricsIn, clean_name

CustomerSort = Literal["name", "-name", "assignedAt", "-assignedAt"]


class ProfileUpdateIn(BodyMetricsIn, StrictApiModel):
    """Demographics with the registration rules (null clears a body metric), and preferences
    checked against the current questionnaire (null removes an answer)."""

    name: str | None = Field(default=None, description=NAME_DESCRIPTION)
    preferences: dict[str, Any] | None = Field(
        default=None, max_length=50, description="Preference key: answer; merged into the profile"
    )

    _not_null = not_null("name", "preferences")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_name(value)

    def to_changes(self) -> ProfileChanges:
        return ProfileChanges(
            given=frozenset(self.model_fields_set),
            name=self.name,
            preferences=self.preferences,
            height=self.height,
            weight=self.weight,
            age=self.age,
            gender=self.gender,
        )


class AssignCoachIn(StrictApiModel):
    coach_id: uuid.UUID


class DemographicsOut(ApiModel):
    name: str
    phone: str | None
    email: str | None
    age: int | None
    gender: Gender | None
    height: float | None = Field(description="cm")
    weight: float | None = Field(description="kg")


class ConsentOut(ApiModel):
    accepted: bool
    accepted_at: datetime | None
    version: int | None = Field(description="The questionnaire version consented with")


class CoachAssignmentOut(ApiModel):
    coach_id: uuid.UUID
    name: str
    since: datetime


class CustomerProfileOut(ApiModel):
    customer_id: uuid.UUID
    profile_id: uuid.UUID | None = Field(description="null until the customer has onboarded")
    demographics: DemographicsOut
    questionnaire_version: int | None
    goals: list[Goal]
    preferences: dict[str, Any]
    health_flags: list[str]
    risk_flags: list[RiskFlag]
    consent: ConsentOut
    coaches: list[CoachAssignmentOut]
    subscription: SubscriptionStatusOut


class CoachCustomerOut(ApiModel):
    id: uuid.UUID
    name: str
    phone: str | None
    email: str | None
    goals: list[Goal]
    risk_flags: list[RiskFlag]
    assigned_at: datetime
