"""Wearable webhooks on the wire: what the 202 says."""

from __future__ import annotations

from pydantic import Field

from fitcoach.http.envelope import ApiModel
from fitcoach.integrations.wearables.service import Accepted


class WebhookAcceptedOut(ApiModel):
    provider: str
    delivery_id: str
    duplicate: bool = Field(
        description="A delivery already received (a provider's retry): accepted, no effect"
    )
    queued: int = Field(description="Notices queued for the workers")
    unmatched: int = Field(description="Notices about provider users connected to no customer")

    @classmethod
    def of(cls, accepted: Accepted) -> WebhookAcceptedOut:
        return cls(
            provider=accepted.provider.value,
            delivery_id=accepted.delivery_id,
            duplicate=accepted.duplicate,
            queued=accepted.queued,
            unmatched=accepted.unmatched,
        )
