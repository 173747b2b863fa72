from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, TimestampMixin


class IdempotencyKey(TimestampMixin, Base):
    """A client's `Idempotency-Key` on a POST that creates something billable or granting, with
    the answer it got. The row is claimed (inserted) in the request's own transaction before
    the effect, so a second request with the key waits for the first and then replays its
    answer; the answer is filled in before the same commit."""

    __tablename__ = "idempotency_keys"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # sha256 of the method, the path and the canonical JSON body.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
