"""Scheduling: coaching sessions on a coach's calendar, the customers booked into them, and the
entitlement ledger that pays for bookings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class ScheduledSession(IdMixin, TimestampMixin, Base):
    """One session on a coach's calendar, [start_at, end_at) in UTC, shown in `timezone`.
    `coach_busy_until` is end_at plus the buffer in force when the time was set: the coach's
    sessions never overlap on [start_at, coach_busy_until) (PostgreSQL: an exclusion
    constraint, created by the migration). `booked` counts the live bookings, never above
    capacity; bookings take a place with one conditional update of it."""

    __tablename__ = "scheduled_sessions"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="within_capacity"),
        CheckConstraint("held >= 0 AND booked + held <= capacity", name="held_within_capacity"),
        CheckConstraint(
            "(drop_in_price_minor IS NULL) = (drop_in_currency IS NULL)", name="drop_in_priced"
        ),
        Index("ix_scheduled_sessions_coach_start", "coach_id", "start_at"),
        Index("ix_scheduled_sessions_start", "start_at"),
        Index("ix_scheduled_sessions_series", "series_id"),
    )

    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    coach_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    coach_busy_until: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(200))
    join_link: Mapped[str | None] = mapped_column(String(2048))
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    # Places offered to the waitlist and not yet claimed or expired: no one else may book them.
    held: Mapped[int] = mapped_column(default=0, server_default="0")
    # What one place costs a customer without an entitlement (a paid drop-in), in minor units
    # of the ISO 4217 currency; None: places are only taken with an entitlement.
    drop_in_price_minor: Mapped[int | None] = mapped_column(default=None)
    drop_in_currency: Mapped[str | None] = mapped_column(String(3), default=None)
    # The iCalendar SEQUENCE: bumped by every change a calendar must pick up.
    sequence: Mapped[int] = mapped_column(default=0)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    # The occurrences of one recurring class (an RFC 5545 rule) share a series id.
    series_id: Mapped[uuid.UUID | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class SessionBooking(IdMixin, TimestampMixin, Base):
    """A customer's place in a session. The session's times are copied here so that a
    customer's live bookings never overlap (PostgreSQL: an exclusion constraint). `grant_id`
    is the entitlement grant the booking drew on (None: the session needs none, or the place was
    paid for); `order_id` the paid order of a drop-in place, refunded if the place is given
    back in time or the session is called off."""

    __tablename__ = "session_bookings"
    __table_args__ = (
        UniqueConstraint("session_id", "customer_id"),
        Index("ix_session_bookings_customer_start", "customer_id", "start_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scheduled_sessions.id", ondelete="CASCADE")
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    grant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("entitlement_entries.id", ondelete="SET NULL")
    )
    booked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), default=None, index=True
    )
    # When the customer gave the place up: the waitlist's estimates learn from these.
    canceled_at: Mapped[datetime | None]


class WaitlistEntry(IdMixin, TimestampMixin, Base):
    """A customer's place in line for a full session. `number` orders the line (one session's
    numbers rise as customers join); an entry is waiting, then offered a held place until
    `offer_expires_at`, then claimed, expired (passed on) or left; the session's cancellation
    closes it."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        UniqueConstraint("session_id", "customer_id"),
        UniqueConstraint("session_id", "number"),
        Index("ix_waitlist_entries_session_status", "session_id", "status", "number"),
        Index("ix_waitlist_entries_status_expiry", "status", "offer_expires_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scheduled_sessions.id", ondelete="CASCADE")
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime]
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]


class EntitlementEntry(IdMixin, TimestampMixin, Base):
    """One line of a customer's entitlement ledger. A grant adds sessions usable on
    [valid_from, valid_until); every other line (use -1, return +1, expire, adjust) draws on one
    grant (`grant_id`), so a grant's remainder is the sum of its own line and its children, and
    a customer's balance is the sum over their unexpired grants. `source` names what granted it
    (a subscription period) so the same grant is never written twice."""

    __tablename__ = "entitlement_entries"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_entitlement_entries_customer_kind", "customer_id", "kind", "valid_until"),
        Index("ix_entitlement_entries_grant", "grant_id"),
        Index(
            "ix_entitlement_entries_customer_source",
            "customer_id",
            "source",
            unique=True,
            sqlite_where=text("source IS NOT NULL"),
            postgresql_where=text("source IS NOT NULL"),
        ),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    grant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("entitlement_entries.id", ondelete="CASCADE")
    )
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    # The booking a use or return is for (no foreign key: the ledger outlives bookings).
    booking_id: Mapped[uuid.UUID | None]
    source: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CoachAvailability(TimestampMixin, Base):
    """A coach's working hours per weekday, as wall-clock windows in `timezone`
    ({"monday": [["09:00", "12:00"], ...], ...}), and their time off ([[start, end, reason]],
    UTC instants): what free one-to-one slots are cut from."""

    __tablename__ = "coach_availability"

    coach_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    time_off: Mapped[list[Any]] = mapped_column(JSON)


class CalendarFeedToken(TimestampMixin, Base):
    """The keyed hash of a user's private calendar-feed token; rotating it replaces the row,
    so the old feed URL stops working."""

    __tablename__ = "calendar_feed_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
