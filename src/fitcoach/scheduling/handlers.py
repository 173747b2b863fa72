"""What scheduling's events do: tell the people concerned, in their inbox and on their
channels (the notifications domain). Each notification's dedupe key is the event's, so a
redelivered event notifies no one twice."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.scheduling.events import (
    BookingCanceled,
    SessionBooked,
    SessionCanceled,
    SessionRescheduled,
    SessionScheduled,
    WaitlistOffered,
)
from fitcoach.scheduling.feed.service import invitation
from fitcoach.scheduling.sessions.repository import session_repository
from fitcoach.scheduling.sessions.rules import local_iso, zone_named
from fitcoach.stream.service import stream_service
from fitcoach.worker.events import DomainEvent
from fitcoach.worker.registry import on_event


def _when(start: datetime, timezone: str) -> str:
    return local_iso(start, zone_named(timezone)).replace("T", " ")


async def _invitation(session: AsyncSession, event: DomainEvent, method: str) -> str | None:
    """The session's invitation as it stands now (a later change has a higher SEQUENCE, which
    calendars prefer); None if the session is gone."""
    sess = await session_repository.get(session, uuid.UUID(event.subject_id))
    return invitation(sess, method) if sess is not None else None


async def _tell(
    session: AsyncSession,
    user_id: uuid.UUID,
    event: DomainEvent,
    text: tuple[str, str],
    data: dict[str, str],
    *,
    urgent: bool = False,
    calendar: str | None = None,
) -> None:
    title, body = text
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=user_id,
            category=NotificationCategory.sessions,
            title=title,
            body=body,
            data=data,
            urgent=urgent,
            dedupe_key=f"scheduling:{event.id}:{user_id}",
            calendar=calendar,
        ),
        # The moment of the change (the injected clock's), which quiet hours are measured from.
        event.occurred_at,
    )


@on_event(SessionScheduled, name="scheduling.notify_session_scheduled")
async def notify_session_scheduled(session: AsyncSession, event: SessionScheduled) -> None:
    when = _when(event.start_at, event.timezone)
    calendar = await _invitation(session, event, "REQUEST")
    for customer_id in event.participant_ids:
        await _tell(
            session,
            customer_id,
            event,
            ("Session scheduled", f"You have a session on {when} ({event.timezone})."),
            {"sessionId": event.subject_id},
            calendar=calendar,
        )


@on_event(SessionBooked, name="scheduling.notify_session_booked")
async def notify_session_booked(session: AsyncSession, event: SessionBooked) -> None:
    when = _when(event.start_at, event.timezone)
    await _tell(
        session,
        event.coach_id,
        event,
        ("New booking", f"A customer booked your session on {when} ({event.timezone})."),
        {"sessionId": event.subject_id, "customerId": str(event.customer_id)},
    )
    # The customer gets the invitation for their own calendar.
    await _tell(
        session,
        event.customer_id,
        event,
        ("You're booked", f"Your place in the session on {when} ({event.timezone}) is confirmed."),
        {"sessionId": event.subject_id},
        calendar=await _invitation(session, event, "REQUEST"),
    )


@on_event(SessionRescheduled, name="scheduling.notify_session_rescheduled")
async def notify_session_rescheduled(session: AsyncSession, event: SessionRescheduled) -> None:
    before = _when(event.previous_start_at, event.timezone)
    when = _when(event.start_at, event.timezone)
    calendar = await _invitation(session, event, "REQUEST")
    for customer_id in event.participant_ids:
        await _tell(
            session,
            customer_id,
            event,
            ("Session moved", f"Your session of {before} now starts {when} ({event.timezone})."),
            {"sessionId": event.subject_id},
            calendar=calendar,
        )


@on_event(SessionCanceled, name="scheduling.notify_session_canceled")
async def notify_session_canceled(session: AsyncSession, event: SessionCanceled) -> None:
    when = _when(event.start_at, event.timezone)
    why = f" Reason: {event.reason}" if event.reason else ""
    calendar = await _invitation(session, event, "CANCEL")
    for customer_id in event.participant_ids:
        await _tell(
            session,
            customer_id,
            event,
            (
                "Session canceled",
                f"Your session on {when} ({event.timezone}) was canceled; the session of your "
                f"membership is yours again, or a place you paid for is refunded.{why}",
            ),
            {"sessionId": event.subject_id},
            calendar=calendar,
        )


@on_event(BookingCanceled, name="scheduling.notify_booking_canceled")
async def notify_booking_canceled(session: AsyncSession, event: BookingCanceled) -> None:
    when = _when(event.start_at, event.timezone)
    late = " (late)" if event.late else ""
    await _tell(
        session,
        event.coach_id,
        event,
        (
            "Booking canceled",
            f"A customer canceled{late} their place on {when} ({event.timezone}).",
        ),
        {"sessionId": event.subject_id, "customerId": str(event.customer_id)},
    )


WAITLIST_OFFER_KIND = "waitlist.offer"


@on_event(WaitlistOffered, name="scheduling.notify_waitlist_offered")
async def notify_waitlist_offered(session: AsyncSession, event: WaitlistOffered) -> None:
    """By push at once (urgent: the claim window runs through quiet hours too) and on the live
    stream, where the app can show a claim button."""
    when = _when(event.start_at, event.timezone)
    until = _when(event.expires_at, event.timezone)
    offer = {"sessionId": event.subject_id, "offerExpiresAt": event.expires_at.isoformat()}
    await stream_service.publish(session, event.customer_id, WAITLIST_OFFER_KIND, offer)
    await _tell(
        session,
        event.customer_id,
        event,
        (
            "A place is yours to claim",
            f"A place freed in the session on {when} ({event.timezone}). Claim it by {until}, "
            "or it passes to the next in line.",
        ),
        offer,
        urgent=True,
    )
