"""Waitlists on the wire: POST /sessions/{id}/waitlist's body as api-design.md §4 names it, a
place in line with its estimated confirmation window, and the admin's claim-window setting."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.scheduling.sessions.offers import WaitlistPolicy
from fitcoach.scheduling.waitlist.service import WaitlistPlace


class WaitlistJoinIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"customerId": "7c1e9a52-0b3d-4f6e-8a21-5d9c3b7e4f10"}]}
    )

    customer_id: uuid.UUID = Field(
        description="Customers give their own id; coaches one of their customers'; admins any"
    )


class ConfirmationWindowOut(ApiModel):
    earliest: datetime = Field(description="UTC; the window holds the middle half of past cases")
    latest: datetime = Field(description="UTC")
    likelihood: float = Field(
        description="Share of similar sessions that freed enough places this close to the start"
    )
    similar_sessions: int = Field(description="Sessions of the same coach and type, last 90 days")


class WaitlistPlaceOut(ApiModel):
    session_id: uuid.UUID
    customer_id: uuid.UUID
    status: Literal["waiting", "offered"] = Field(
        description="offered: a place is held for you until offerExpiresAt"
    )
    position: int = Field(description="1 is first in line (customers holding offers count)")
    joined_at: datetime
    offer_expires_at: datetime | None
    estimated_confirmation: ConfirmationWindowOut | None = Field(
        description="When a place is likely to be yours, from the cancellations of similar "
        "sessions in the last 90 days; null with estimateUnavailableReason"
    )
    estimate_unavailable_reason: str | None

    @classmethod
    def of(cls, place: WaitlistPlace) -> WaitlistPlaceOut:
        window = place.estimate.window
        return cls(
            session_id=place.entry.session_id,
            customer_id=place.entry.customer_id,
            status="offered" if place.entry.status == "offered" else "waiting",
            position=place.position,
            joined_at=place.entry.joined_at,
            offer_expires_at=place.entry.offer_expires_at,
            estimated_confirmation=None
            if window is None
            else ConfirmationWindowOut(
                earliest=window.earliest,
                latest=window.latest,
                likelihood=window.likelihood,
                similar_sessions=window.similar_sessions,
            ),
            estimate_unavailable_reason=place.estimate.reason,
        )


class WaitlistPolicyIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"claimMinutes": 120, "minimumClaimMinutes": 10}]}
    )

    claim_minutes: int = Field(
        strict=True,
        ge=1,
        le=10_080,
        description="How long an offer runs at most; a quarter of the time left before the "
        "start when that is shorter",
    )
    minimum_claim_minutes: int = Field(
        strict=True,
        ge=1,
        le=10_080,
        description="How long an offer runs at least (never past the start); above "
        "claimMinutes, every offer runs this long",
    )

    def to_policy(self) -> WaitlistPolicy:
        return WaitlistPolicy(self.claim_minutes, self.minimum_claim_minutes)
