from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from fitcoach.customers.service import ProfileChanges
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.models.enums import Gender
from fitcoach.models.vocabulary import Goal, RiskFlag
from fitcoach.subscriptions.schemas import SubscriptionStatusOut
from fitcoach.users.schemas import NAME_DESCRIPTION, NAME_SCHEMA, BodyMetricsIn, clean_name

CustomerSort = Literal["name", "-name", "assignedAt", "-assignedAt"]


class ProfileUpdateIn(BodyMetricsIn, StrictApiModel):
    """Demographics with the registration rules (null clears a body metric), and preferences
    checked against the current questionnaire (null removes an answer)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"weight": 72.0, "preferences": {"trainingDaysPerWeek": 4}}]
        }
    )

    name: str | None = Field(
        default=None, description=NAME_DESCRIPTION, json_schema_extra=NAME_SCHEMA
    )
    preferences: dict[str, Any] | None = Field(
        default=None, max_length=50, description="Preference key: answer; merged into the profile"
    )

    never_null = frozenset({"name", "preferences"})

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
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"coachId": "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10"}]}
    )

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
