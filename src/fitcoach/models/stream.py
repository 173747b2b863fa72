"""The live channel: what each user's stream carried (kept so a reconnecting client can resume
from Last-Event-ID), and the single-use tickets browsers open a stream with."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, TimestampMixin

# SQLite numbers rows only through an INTEGER PRIMARY KEY.
_EventId = BigInteger().with_variant(Integer(), "sqlite")


class StreamEvent(TimestampMixin, Base):
    """One event on one user's stream. The id is the SSE event id: ascending in commit order
    closely enough to replay "everything after N"."""

    __tablename__ = "stream_events"
    __table_args__ = (
        Index("ix_stream_events_user_id_id", "user_id", "id"),
        # Retention deletes by age.
        Index("ix_stream_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(_EventId, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class StreamTicket(TimestampMixin, Base):
    """A short-lived, single-use stand-in for the access token (EventSource cannot send an
    Authorization header). Only its hash is stored."""

    __tablename__ = "stream_tickets"

    ticket_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime] = mapped_column(index=True)
