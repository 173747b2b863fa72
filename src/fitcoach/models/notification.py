"""Notifications: the in-app inbox, each user's preferences and quiet hours, their push devices,
and one delivery per channel of each notification with its attempts and final state."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Notification(IdMixin, TimestampMixin, Base):
    """One notification to one user. `in_inbox` is false when the user turned the in-app channel
    off for its category: the row still carries the content its other deliveries send."""

    __tablename__ = "notifications"
    __table_args__ = (
        # One event gives a user at most one notification (and so one delivery per channel).
        UniqueConstraint("user_id", "dedupe_key"),
        # The inbox: newest first, per user.
        Index("ix_notifications_inbox", "user_id", "in_inbox", "created_at"),
        # The unread count seeks only on unread rows.
        Index(
            "ix_notifications_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL AND in_inbox"),
            postgresql_where=text("read_at IS NULL AND in_inbox"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    in_inbox: Mapped[bool] = mapped_column(Boolean, default=True)
    # An iCalendar invitation (METHOD:REQUEST or CANCEL) the e-mail channel attaches.
    calendar: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[datetime | None]


class NotificationPreference(TimestampMixin, Base):
    """A user's choice for one category on one channel; absent rows take the defaults."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)


class NotificationSettings(TimestampMixin, Base):
    """Quiet hours, as local times of day in the user's time zone (users.time_zone); a start
    after the end spans midnight."""

    __tablename__ = "notification_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    quiet_start: Mapped[time | None]
    quiet_end: Mapped[time | None]


class Device(IdMixin, TimestampMixin, Base):
    """A place to push to: a Web Push subscription (endpoint and keys) or an FCM token. The
    token (the endpoint for Web Push) is unique: a browser or phone belongs to whoever
    registered it last."""

    __tablename__ = "devices"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str | None] = mapped_column(String(256))
    auth: Mapped[str | None] = mapped_column(String(64))


class Delivery(IdMixin, TimestampMixin, Base):
    """One channel's delivery of one notification: due now, or at the end of quiet hours, or at
    its next retry."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        # The sweep of what is due.
        Index("ix_deliveries_state_due", "state", "due_at"),
    )

    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
