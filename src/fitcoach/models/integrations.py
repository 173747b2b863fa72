"""Integrations: the API keys partners call with, and what wearables send (the customers'
provider connections, the deliveries already seen, the metrics they carried)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class ApiKey(IdMixin, TimestampMixin, Base):
    """A partner's key: `prefix` (public, unique) finds the row, the secret after it is kept
    only as a keyed hash. A rotation keeps the replaced secret's hash valid until
    `previous_valid_until`, so the partner can switch over without an outage."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_created_at", "created_at"),)

    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    previous_secret_hash: Mapped[str | None] = mapped_column(String(64))
    previous_valid_until: Mapped[datetime | None]
    scopes: Mapped[list[str]] = mapped_column(JSON)
    # Requests per minute, counted per key across every worker.
    rate_limit: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Coalesced: written at most once a minute per key, never once per request.
    last_used_at: Mapped[datetime | None]
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WearableConnection(IdMixin, TimestampMixin, Base):
    """A customer's account at a wearable provider: the provider's user id matches incoming
    webhooks to the customer; the OAuth tokens, when the provider has them, are sealed."""

    __tablename__ = "wearable_connections"
    __table_args__ = (
        UniqueConstraint("provider", "external_user_id"),
        UniqueConstraint("customer_id", "provider"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    external_user_id: Mapped[str] = mapped_column(String(128))
    access_token_sealed: Mapped[str | None] = mapped_column(Text)
    refresh_token_sealed: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None]


class WearableDelivery(TimestampMixin, Base):
    """A webhook delivery already accepted, by the provider's delivery id: a second one with
    the same id is a replay (or an honest redelivery) and has no effect."""

    __tablename__ = "wearable_deliveries"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(128), primary_key=True)


class WearableMetric(IdMixin, TimestampMixin, Base):
    """One normalized sample (SI-like units: steps, bpm, seconds, kg, kcal). The provider's own
    id of the sample (`source_id`) makes a sample sent twice land once."""

    __tablename__ = "wearable_metrics"
    __table_args__ = (
        UniqueConstraint("customer_id", "provider", "kind", "source_id"),
        Index("ix_wearable_metrics_customer_kind_started", "customer_id", "kind", "started_at"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    source_id: Mapped[str] = mapped_column(String(160))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
