from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, field_validator

from fitcoach.http.envelope import ApiModel, schema_rule
from fitcoach.models.enums import Gender, Role
from fitcoach.users.service import BodyMetrics

NAME_MIN, NAME_MAX = 5, 30
NAME_DESCRIPTION = f"{NAME_MIN}-{NAME_MAX} characters"
# clean_name's rule: NAME_MIN-NAME_MAX characters once the ends are stripped and each inner
# run of whitespace counts as one space.
_VISIBLE = "[^\\s\\u0000]"
NAME_SCHEMA = schema_rule(
    pattern=(
        f"^\\s*{_VISIBLE}(?:{_VISIBLE}|\\s+(?={_VISIBLE})){{{NAME_MIN - 1},{NAME_MAX - 1}}}\\s*$"
    )
)


def clean_name(value: str) -> str:
    name = " ".join(value.split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValueError(f"Name must be {NAME_MIN}-{NAME_MAX} characters")
    return name


class BodyMetricsIn(ApiModel):
    """The optional profile fields of registration, with the auth-flow update's limits."""

    height: float | None = Field(default=None, ge=50, le=300, description="cm, 50-300")
    weight: float | None = Field(default=None, ge=20, le=500, description="kg, 20-500")
    age: int | None = Field(default=None, ge=13, le=120, description="years, 13-120")
    gender: Gender | None = None

    def to_metrics(self) -> BodyMetrics:
        return BodyMetrics(height=self.height, weight=self.weight, age=self.age, gender=self.gender)


class NamedBodyMetricsIn(BodyMetricsIn):
    name: str = Field(description=NAME_DESCRIPTION, json_schema_extra=NAME_SCHEMA)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return clean_name(value)


class UserOut(ApiModel):
    id: uuid.UUID
    name: str
    phone: str | None
    email: str | None
    roles: list[Role]
    phone_verified: bool
    email_verified: bool
    height: float | None = Field(validation_alias="height_cm")
    weight: float | None = Field(validation_alias="weight_kg")
    age: int | None
    gender: Gender | None
    is_blocked: bool
    mfa_enabled: bool
    created_at: datetime
