"""Errors of the scheduling domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from fitcoach.core.errors import Conflict, Forbidden, NotFound, Unprocessable


def _moment(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class SessionNotFound(NotFound):
    message = "Session not found"


class NotYourCalendar(Forbidden):
    message = "Coaches schedule sessions on their own calendar only: coachId must be your id"


class NotACoach(Unprocessable):
    message = "coachId is not a coach"


class ParticipantNotFound(NotFound):
    def __init__(self, index: int) -> None:
        super().__init__(f"participants[{index}] is not a customer you may schedule")


class UnknownTimezone(Unprocessable):
    message = "timezone must be an IANA time zone name, e.g. Africa/Cairo"


class InvalidSessionTime(Unprocessable):
    """A start or end the calendar cannot hold; the message names the field."""


class InvalidRecurrence(Unprocessable):
    """A recurrence rule that is not RFC 5545 or has no end in sight."""


class InvalidCapacity(Unprocessable):
    """A capacity that does not fit the session's type or its participants."""


class CoachBusy(Conflict):
    def __init__(self, session_id: uuid.UUID, start: datetime, end: datetime, buffer: int) -> None:
        super().__init__(
            f"The coach already has session {session_id} from {_moment(start)} to "
            f"{_moment(end)}; sessions keep {buffer} minutes apart"
        )
        self.session_id = session_id


class ParticipantBusy(Conflict):
    def __init__(self, customer_id: uuid.UUID, session_id: uuid.UUID, start: datetime) -> None:
        super().__init__(
            f"Customer {customer_id} is already booked into session {session_id} "
            f"at {_moment(start)}"
        )


class SessionFull(Conflict):
    def __init__(self, session_id: uuid.UUID) -> None:
        super().__init__(
            "The session is full. Join its waitlist with "
            f"POST /api/v1/sessions/{session_id}/waitlist to be offered the next free place"
        )


class AlreadyBooked(Conflict):
    message = "You already have a place in this session"


class SessionNotBookable(Unprocessable):
    message = "Only scheduled group sessions and classes that have not started can be booked"


class NoEntitlement(Conflict):
    message = (
        "No session left in your membership for that date: renew or upgrade your subscription, "
        "or ask an admin to grant sessions"
    )


class NoEntitlementDropInForSale(NoEntitlement):
    """No entitlement, but the session sells single places: the answer says how to buy one.
    Same code as NoEntitlement, so a client's branch on it keeps working."""

    code = "no_entitlement"

    def __init__(self, session_id: uuid.UUID, price: str) -> None:
        super().__init__(
            "No session left in your membership for that date. This session sells single "
            f"places for {price}: buy one with POST /api/v1/orders and "
            f'{{"sessionId": "{session_id}"}}, then confirm the order'
        )
        self.session_id = session_id


class DropInNotForSale(Unprocessable):
    message = "This session does not sell single places (it has no dropIn price)"


class DropInUnavailable(Conflict):
    """The paid place can no longer be taken; nothing was charged. The message says why."""

    message = "The session's place can no longer be taken: nothing was charged"


class InsufficientEntitlement(Unprocessable):
    message = "The customer has fewer unexpired sessions than the adjustment takes"


class CustomerNotFound(NotFound):
    message = "Customer not found"


class InvalidRange(Unprocessable):
    """A calendar range that is reversed or too long; the message names the parameter."""


class CalendarRoleRefused(Forbidden):
    """A calendar the caller has no role for (role=coach without being a coach, coachId
    without being an admin)."""


class SessionClosed(Conflict):
    message = "The session is canceled: it can no longer be changed"


class NotBooked(Conflict):
    message = "You hold no place in this session to cancel"


class SessionStarted(Unprocessable):
    message = "The session has started: it can no longer be rescheduled or canceled"


class NotStartedYet(Unprocessable):
    message = "A session can be completed once it has started"


class CustomersOnlyCancel(Forbidden):
    message = "Customers can only cancel their own place (status canceled)"


class NotAParticipant(Unprocessable):
    def __init__(self, index: int) -> None:
        super().__init__(f"attendance[{index}].customerId holds no place in this session")


class CoachNotFound(NotFound):
    message = "Coach not found"


class NotYourAvailability(Forbidden):
    message = "Coaches set their own availability only"


class CustomersBookOneToOne(Forbidden):
    message = (
        "Customers schedule only one-to-one sessions with their own coach, for themselves "
        "(with no dropIn price); other sessions are scheduled by coaches"
    )


class OutsideAvailability(Conflict):
    message = (
        "The coach is not available then: pick a slot from GET /api/v1/coaches/{coachId}/slots"
    )


class CalendarFeedNotFound(NotFound):
    message = "No calendar feed has this address: create a new one in the app"


class PlacesLeft(Conflict):
    def __init__(self, session_id: uuid.UUID, left: int) -> None:
        super().__init__(
            f"The session has {left} free place(s): book one with "
            f"POST /api/v1/sessions/{session_id}/bookings instead of waiting"
        )


class AlreadyWaitlisted(Conflict):
    message = "The customer is already on this session's waitlist"


class NotOnWaitlist(NotFound):
    message = "You are not on this session's waitlist"


class NoOfferYet(Conflict):
    def __init__(self, position: int) -> None:
        super().__init__(
            f"No place has been offered to you yet: you are number {position} in line and "
            "will be told when a place is yours to claim"
        )


class OfferExpired(Conflict):
    message = (
        "Your offer ran out and the place passed to the next in line: join the waitlist "
        "again to wait for another"
    )
