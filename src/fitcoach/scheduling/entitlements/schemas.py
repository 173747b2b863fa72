"""The entitlement ledger on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import label
from fitcoach.http.pagination import Pagination
from fitcoach.models import EntitlementEntry
from fitcoach.scheduling.entitlements.service import Grant


class EntitlementAdjustmentIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sessions": 8,
                    "validFrom": "2027-01-01T00:00:00Z",
                    "validUntil": "2027-02-01T00:00:00Z",
                    "reason": "January sessions of the Gold membership",
                }
            ]
        }
    )

    sessions: int = Field(
        ge=-100,
        le=100,
        description="Positive: a grant valid on [validFrom, validUntil); negative: sessions "
        "taken back from the grants that expire soonest",
    )
    valid_from: datetime | None = Field(default=None, description="Needed for a grant")
    valid_until: datetime | None = Field(default=None, description="Needed for a grant")
    reason: Annotated[str, label(200)]

    @model_validator(mode="after")
    def _grant_has_period(self) -> Self:
        if self.sessions == 0:
            raise ValueError("sessions must not be 0")
        if self.sessions > 0:
            if self.valid_from is None or self.valid_until is None:
                raise ValueError("a grant needs validFrom and validUntil")
            if self.valid_from.tzinfo is None or self.valid_until.tzinfo is None:
                raise ValueError("validFrom and validUntil need a time zone offset")
            if self.valid_from.year < 2000 or self.valid_until.year > 2200:
                raise ValueError("validFrom and validUntil must lie between 2000 and 2200")
            if self.valid_until <= self.valid_from:
                raise ValueError("validUntil must be after validFrom")
        return self

    def to_grant(self, customer_id: uuid.UUID, now: datetime) -> Grant:
        return Grant(
            customer_id=customer_id,
            sessions=self.sessions,
            valid_from=self.valid_from or now,
            valid_until=self.valid_until or now,
            reason=self.reason,
        )


class EntitlementEntryOut(ApiModel):
    id: uuid.UUID
    kind: str = Field(description="grant, use, return, expire or adjust")
    amount: int
    grant_id: uuid.UUID | None = Field(description="The grant a line draws on")
    valid_from: datetime | None
    valid_until: datetime | None
    booking_id: uuid.UUID | None
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, entry: EntitlementEntry) -> EntitlementEntryOut:
        return cls.model_validate(entry)


class SessionBalanceOut(ApiModel):
    balance: int = Field(description="Sessions left in unexpired grants: the sum of their lines")
    items: list[EntitlementEntryOut]
    pagination: Pagination
