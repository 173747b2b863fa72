from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin


class AuditEntry(IdMixin, Base):
    """One append-only audit record. The actor is a plain id, not a foreign key, so the trail
    outlives the accounts it mentions and no cascade can ever rewrite it."""

    __tablename__ = "audit_log"
    # Every listing is "newest first" with an optional equality filter; each index serves one
    # filter and the keyset cursor (occurred_at, id) without a sort.
    __table_args__ = (
        Index("ix_audit_log_occurred_id", "occurred_at", "id"),
        Index("ix_audit_log_actor_occurred_id", "actor_id", "occurred_at", "id"),
        Index("ix_audit_log_resource_occurred_id", "resource_type", "occurred_at", "id"),
        Index("ix_audit_log_action_occurred_id", "action", "occurred_at", "id"),
    )

    occurred_at: Mapped[datetime]
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None]
    actor_roles: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
