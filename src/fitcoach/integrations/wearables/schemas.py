"""Wearable webhooks on the wire: what the 202 says."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.integrations.wearables.service import Accepted
from fitcoach.models import WearableConnection


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


class AuthorizationOut(ApiModel):
    authorization_url: str = Field(
        description="Send the customer here; the provider sends them back with code and state"
    )


class CallbackIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "b5a9c2e0f1", "state": "1765090800.3f9c"}]}
    )

    code: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    state: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class ConnectionOut(ApiModel):
    provider: str
    external_user_id: str = Field(description="The customer's id at the provider")
    connected_at: datetime
    token_expires_at: datetime | None

    @classmethod
    def of(cls, connection: WearableConnection) -> ConnectionOut:
        return cls(
            provider=connection.provider,
            external_user_id=connection.external_user_id,
            connected_at=connection.updated_at,
            token_expires_at=connection.token_expires_at,
        )
