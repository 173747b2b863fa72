"""The private calendar feed: an unguessable token per user (only its keyed hash is stored;
rotating it ends the old address), and the iCalendar document of their sessions. An update
carries a higher SEQUENCE, a cancellation STATUS:CANCELLED, each zone a VTIMEZONE."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import icalendar
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.config import Settings
from fitcoach.core.crypto import derive_key, keyed_hash, random_token
from fitcoach.models import CalendarFeedToken, ScheduledSession, SessionBooking
from fitcoach.scheduling.exceptions import CalendarFeedNotFound
from fitcoach.scheduling.feed.repository import feed_repository
from fitcoach.scheduling.sessions.repository import session_repository
from fitcoach.scheduling.sessions.rules import BookingStatus, SessionStatus, zone_named

PAST = timedelta(days=30)
FUTURE = timedelta(days=366)
_GONE = {BookingStatus.canceled.value, BookingStatus.late_canceled.value}


def _hash(settings: Settings, token: str) -> str:
    return keyed_hash(derive_key(settings.signing_secret, "calendar-feed"), token)


def session_event(sess: ScheduledSession, booking: SessionBooking | None) -> icalendar.Event:
    """The session as one VEVENT: the feed and the invitation e-mails share its UID and
    SEQUENCE, so a calendar that got either recognises the other's update."""
    zone = zone_named(sess.timezone)
    event = icalendar.Event()
    event.add("uid", f"{sess.id}@fitcoach")
    event.add("dtstamp", sess.updated_at)
    event.add("dtstart", sess.start_at.astimezone(zone))
    event.add("dtend", sess.end_at.astimezone(zone))
    event.add("summary", f"{sess.type.replace('-', ' ').capitalize()} session")
    event.add("location", sess.location)
    event.add("sequence", sess.sequence)
    canceled = sess.status == SessionStatus.canceled.value or (
        booking is not None and booking.status in _GONE
    )
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    return event


def invitation(sess: ScheduledSession, method: str) -> str:
    """An iTIP document for e-mail (RFC 5546): METHOD:REQUEST adds or updates the session in
    the recipient's calendar, METHOD:CANCEL removes it."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//fitcoach//sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = session_event(sess, None)
    if method == "CANCEL":
        event["status"] = icalendar.vText("CANCELLED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical()).decode()


class FeedService:
    async def rotate(
        self, session: AsyncSession, user_id: uuid.UUID, settings: Settings, now: datetime
    ) -> str:
        """A new feed token for the user; the previous one stops working."""
        token = random_token(24)
        row = await feed_repository.of_user(session, user_id)
        if row is None:
            row = CalendarFeedToken(user_id=user_id)
            feed_repository.add(session, row)
        row.token_hash = _hash(settings, token)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="scheduling.calendar_feed.rotated", resource_type="user", resource_id=user_id
            ),
            now,
        )
        return token

    async def document(
        self, session: AsyncSession, token: str, settings: Settings, now: datetime
    ) -> bytes:
        row = await feed_repository.by_hash(session, _hash(settings, token))
        if row is None:
            raise CalendarFeedNotFound()
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//fitcoach//sessions//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", "fitcoach sessions")
        found = await session_repository.of_person(session, row.user_id, (now - PAST, now + FUTURE))
        for sess, booking in found:
            calendar.add_component(session_event(sess, booking))
        calendar.add_missing_timezones()
        return bytes(calendar.to_ical())


feed_service = FeedService()
