"""Outgoing webhooks: the partners' endpoints, the event types each subscribes to, and every
delivery made to them (the delivery log)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    """A partner's URL that receives events, signed per Standard Webhooks with its own secret
    (sealed: the workers need it in the clear to sign; the API shows it only on creation)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_created_at", "created_at"),)

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean)
    secret_sealed: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None]


class WebhookSubscription(TimestampMixin, Base):
    """An endpoint wants events of `event_type`: a row each, so the fan-out seeks by type."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_event_type", "event_type"),)

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(100), primary_key=True)


class WebhookDelivery(IdMixin, TimestampMixin, Base):
    """One message to one endpoint (its id is the `webhook-id` the receiver deduplicates by),
    with the outcome of its latest attempt. `source` tells a subscription's delivery from an
    automation's, so each happens once per event."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", "source"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    # Bumped by each redelivery: its attempts are jobs of their own.
    series: Mapped[int] = mapped_column(Integer)
    response_code: Mapped[int | None]
    duration_ms: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
