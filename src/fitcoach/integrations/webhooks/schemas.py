"""Outgoing webhooks on the wire: an endpoint to subscribe or change, the endpoint as listed,
its signing secret shown once, and the delivery log."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from fitcoach.http.envelope import ApiModel, StrictApiModel, schema_rule
from fitcoach.http.fields import distinct, http_url, label
from fitcoach.integrations.webhooks.service import (
    CreatedEndpoint,
    EndpointChanges,
    EndpointDraft,
    EndpointView,
)
from fitcoach.models import WebhookDelivery
from fitcoach.worker.events import event_types

MAX_EVENT_TYPES = 50
URL_MESSAGE = "an https URL (plain http only to localhost or 127.0.0.1, outside production)"
# https to a host of dotted labels, or plain http to this machine; a port, a plain path, no
# query (a credential in a query string would end up in logs). The path is written as
# http/envelope.py's HTTP_URL writes it.
_URL_PATTERN = (
    "^(https://[a-z0-9]+([.-][a-z0-9]+)*|http://(localhost|127\\.0\\.0\\.1))"
    "(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~/-]*)?$"
)


def _webhook_url(value: str) -> str:
    if re.fullmatch(_URL_PATTERN, value) is None:
        raise ValueError(URL_MESSAGE)
    return value


WebhookUrl = Annotated[
    str,
    Field(max_length=2000, json_schema_extra=schema_rule(pattern=_URL_PATTERN, format="uri")),
    http_url(URL_MESSAGE),
    AfterValidator(_webhook_url),
]


def _catalog_enum(schema: dict[str, Any]) -> None:
    # Stated when the document is built, once every domain's event classes are loaded.
    schema["enum"] = sorted(event_types())


EventType = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9_.]{1,100}$"),
    Field(json_schema_extra=_catalog_enum),
]
EventTypes = Annotated[list[EventType], AfterValidator(distinct)]
_EXAMPLE: dict[str, Any] = {
    "url": "https://partner.example.com/fitcoach/events",
    "description": "CRM sync",
    "eventTypes": ["commerce.order_paid", "training.badge_awarded"],
}


class WebhookEndpointIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    url: WebhookUrl = Field(description="Where deliveries are POSTed")
    description: Annotated[str, label(200)] | None = Field(
        default=None, description="What the endpoint is for, shown in lists"
    )
    event_types: EventTypes = Field(
        min_length=1,
        max_length=MAX_EVENT_TYPES,
        description="Event types from the automations catalog to deliver",
    )
    enabled: bool = Field(default=True, strict=True, description="Disabled: nothing is delivered")

    def to_draft(self) -> EndpointDraft:
        return EndpointDraft(
            url=self.url,
            description=self.description,
            event_types=tuple(self.event_types),
            enabled=self.enabled,
        )


class WebhookEndpointPatch(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"enabled": False}, {"eventTypes": ["commerce.order_paid"]}]
        }
    )
    never_null: ClassVar[frozenset[str]] = frozenset({"url", "event_types", "enabled"})

    url: WebhookUrl | None = None
    description: Annotated[str, label(200)] | None = Field(
        default=None, description="Null clears it"
    )
    event_types: EventTypes | None = Field(default=None, min_length=1, max_length=MAX_EVENT_TYPES)
    enabled: bool | None = Field(default=None, strict=True)

    def to_changes(self) -> EndpointChanges:
        return EndpointChanges(
            given=frozenset(self.model_fields_set),
            url=self.url,
            description=self.description,
            event_types=tuple(self.event_types or ()),
            enabled=self.enabled,
        )


class WebhookEndpointOut(ApiModel):
    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: EndpointView) -> WebhookEndpointOut:
        record = view.record
        return cls(
            id=record.id,
            url=record.url,
            description=record.description,
            event_types=view.event_types,
            enabled=record.enabled,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class CreatedWebhookEndpointOut(WebhookEndpointOut):
    secret: str = Field(
        description="The signing secret (Standard Webhooks, `whsec_...`): shown this once, "
        "never again. Verify each delivery's `webhook-signature` with it."
    )

    @classmethod
    def created(cls, created: CreatedEndpoint) -> CreatedWebhookEndpointOut:
        return cls(**WebhookEndpointOut.of(created.view).model_dump(), secret=created.secret)


class WebhookDeliveryOut(ApiModel):
    id: uuid.UUID = Field(description="Sent as `webhook-id`: the receiver deduplicates by it")
    event_id: uuid.UUID
    event_type: str
    source: str = Field(description="`subscription`, or `automation:<id>` for an action's call")
    status: Literal["pending", "succeeded", "failed"]
    attempts: int = Field(description="Attempts of the latest series (a redelivery restarts it)")
    response_code: int | None = Field(description="The status the endpoint last answered")
    duration_ms: int | None = Field(description="How long the last attempt took")
    last_error: str | None = Field(description="Why the last attempt failed")
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    payload: dict[str, Any] = Field(description="The body as delivered")
    created_at: datetime

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> WebhookDeliveryOut:
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            source=delivery.source,
            status=delivery.status,
            attempts=delivery.attempts,
            response_code=delivery.response_code,
            duration_ms=delivery.duration_ms,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            payload=delivery.payload,
            created_at=delivery.created_at,
        )
