"""Sessions on the wire: the body of POST /sessions exactly as api-design.md §4 names it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import http_url, label
from fitcoach.http.pagination import Pagination
from fitcoach.models import ScheduledSession, SessionBooking
from fitcoach.scheduling.sessions.changes import SessionChange
from fitcoach.scheduling.sessions.repository import BookingFacts, SessionFacts
from fitcoach.scheduling.sessions.rules import (
    MAX_CAPACITY,
    MAX_OCCURRENCES,
    BookingStatus,
    SessionStatus,
    SessionType,
    local_iso,
    zone_named,
)
from fitcoach.scheduling.sessions.service import SessionDraft, SessionView

MAX_PARTICIPANTS = 50
# The catalog's bound on a product's price.
MAX_PRICE_MINOR = 1_000_000_000


class DropInPrice(StrictApiModel):
    """What one place costs a customer who books without an entitlement, named as products
    name their prices."""

    price: int = Field(
        strict=True, ge=1, le=MAX_PRICE_MINOR, description="Integer minor units (cents)"
    )
    currency: str = Field(
        pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD", examples=["USD"]
    )


class SessionIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "group",
                    "startTime": "2027-01-12T07:00:00",
                    "endTime": "2027-01-12T08:00:00",
                    "timezone": "Africa/Cairo",
                    "coachId": "0b6f3c1e-4d2a-4f7b-9a8e-5c1d2e3f4a5b",
                    "location": "online",
                    "capacity": 8,
                    "participants": ["7c1e9a52-0b3d-4f6e-8a21-5d9c3b7e4f10"],
                }
            ]
        }
    )

    type: SessionType
    start_time: datetime = Field(
        description="With an offset, or a wall-clock time read in `timezone`"
    )
    end_time: datetime = Field(description="As startTime; after it, at most 12 hours later")
    timezone: Annotated[str, label(64)] = Field(description="IANA time zone, e.g. Africa/Cairo")
    coach_id: uuid.UUID = Field(description="Coaches give their own id; admins any coach's")
    location: Annotated[str, label(200)] = Field(
        description='A place, or "online" (then a join link is made unless joinLink is given)'
    )
    join_link: Annotated[str, http_url("joinLink must be an http(s) URL")] | None = None
    capacity: int = Field(ge=1, le=MAX_CAPACITY, description="1 for one-to-one, consultation")
    participants: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_PARTICIPANTS,
        description="Customers booked at once (each spends one session of their entitlement)",
    )
    recurrence: Annotated[str, label(500)] | None = Field(
        default=None,
        description="An RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=8: one session "
        f"per occurrence (at most {MAX_OCCURRENCES}), at the same wall-clock time in timezone",
    )
    drop_in: DropInPrice | None = Field(
        default=None,
        description="Sell single places at this price to customers without an entitlement "
        "(POST /orders with sessionId); without it places are only booked with one",
    )

    def to_draft(self) -> SessionDraft:
        return SessionDraft(
            type=self.type,
            start=self.start_time,
            end=self.end_time,
            timezone=self.timezone,
            coach_id=self.coach_id,
            location=self.location,
            join_link=self.join_link,
            capacity=self.capacity,
            participants=list(dict.fromkeys(self.participants)),
            recurrence=self.recurrence,
            drop_in=(self.drop_in.price, self.drop_in.currency) if self.drop_in else None,
        )


class BookingOut(ApiModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    status: BookingStatus = Field(description="Attendance state: booked, attended, no_show, ...")
    created_at: datetime

    @classmethod
    def of(cls, booking: SessionBooking | BookingFacts) -> BookingOut:
        return cls(
            id=booking.id,
            customer_id=booking.customer_id,
            status=BookingStatus(booking.status),
            created_at=booking.created_at,
        )


class DropInPriceOut(ApiModel):
    price: int = Field(description="Integer minor units of currency")
    currency: str

    @classmethod
    def of(cls, sess: ScheduledSession | SessionFacts) -> DropInPriceOut | None:
        if sess.drop_in_price_minor is None or sess.drop_in_currency is None:
            return None
        return cls(price=sess.drop_in_price_minor, currency=sess.drop_in_currency)


class SessionOut(ApiModel):
    id: uuid.UUID
    type: SessionType
    status: SessionStatus
    start_time: datetime = Field(description="UTC")
    end_time: datetime = Field(description="UTC")
    timezone: str
    local_start_time: str = Field(description="startTime on the session's time zone's clock")
    local_end_time: str
    coach_id: uuid.UUID
    location: str
    join_link: str | None = Field(
        description="To the coach, and to booked customers from a set time before the start"
    )
    capacity: int
    booked: int
    places_left: int = Field(
        description="Free places nobody holds (offers to the waitlist hold some)"
    )
    bookings: list[BookingOut] = Field(description="Every booking to staff; a customer's own")
    cancellation_reason: str | None
    series_id: uuid.UUID | None = Field(description="Shared by a recurring session's occurrences")
    drop_in: DropInPriceOut | None = Field(
        description="The price of one place bought on its own; null: not sold singly"
    )

    @classmethod
    def of(cls, view: SessionView, timezone: str | None = None) -> SessionOut:
        sess = view.session
        zone = zone_named(timezone or sess.timezone)
        return cls(
            id=sess.id,
            type=SessionType(sess.type),
            status=SessionStatus(sess.status),
            start_time=sess.start_at,
            end_time=sess.end_at,
            timezone=zone.key,
            local_start_time=local_iso(sess.start_at, zone),
            local_end_time=local_iso(sess.end_at, zone),
            coach_id=sess.coach_id,
            location=sess.location,
            join_link=view.join_link,
            capacity=sess.capacity,
            booked=sess.booked,
            places_left=sess.capacity - sess.booked - sess.held,
            bookings=[BookingOut.of(booking) for booking in view.bookings],
            cancellation_reason=sess.cancellation_reason,
            series_id=sess.series_id,
            drop_in=DropInPriceOut.of(sess),
        )


class AttendanceIn(StrictApiModel):
    customer_id: uuid.UUID
    status: Literal["attended", "no_show", "late_canceled"]


class SessionChangeIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "rescheduled", "newTime": "2027-01-12T08:00:00"},
                {"status": "canceled", "cancellationReason": "Coach is ill"},
                {
                    "status": "completed",
                    "attendance": [
                        {"customerId": "7c1e9a52-0b3d-4f6e-8a21-5d9c3b7e4f10", "status": "no_show"}
                    ],
                },
            ]
        }
    )

    status: Literal["rescheduled", "canceled", "completed"] = Field(
        description="rescheduled (with newTime) or canceled or completed by the coach or an "
        "admin; canceled by a booked customer gives up their own place"
    )
    new_time: datetime | None = Field(
        default=None,
        description="The new start (the duration is kept): with an offset, or wall clock in "
        "the session's time zone",
    )
    cancellation_reason: Annotated[str, label(500)] | None = None
    attendance: list[AttendanceIn] = Field(
        default_factory=list,
        max_length=MAX_CAPACITY,
        description="With completed: participants not listed attended",
    )

    @model_validator(mode="after")
    def _fields_fit_the_status(self) -> Self:
        if (self.status == "rescheduled") != (self.new_time is not None):
            raise ValueError("newTime is given exactly when status is rescheduled")
        if self.attendance and self.status != "completed":
            raise ValueError("attendance is given only when status is completed")
        if self.cancellation_reason is not None and self.status != "canceled":
            raise ValueError("cancellationReason is given only when status is canceled")
        return self

    def to_change(self, session_id: uuid.UUID) -> SessionChange:
        status = None if self.status == "rescheduled" else SessionStatus(self.status)
        return SessionChange(
            session_id=session_id,
            status=status,
            new_time=self.new_time,
            cancellation_reason=self.cancellation_reason,
            attendance=[(one.customer_id, BookingStatus(one.status)) for one in self.attendance],
        )


class CalendarOut(ApiModel):
    timezone: str = Field(description="The zone the local times are shown in")
    items: list[SessionOut]
    pagination: Pagination
