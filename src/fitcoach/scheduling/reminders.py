"""Reminders of sessions 24 hours and 1 hour before, by a recurring job. The 24-hour one waits
out the participant's quiet hours; the 1-hour one does not (it is urgent). The dedupe key names
the session's SEQUENCE, so a rescheduled session is reminded of again at its new time and every
later run of the job is a no-op."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.scheduling.sessions.repository import session_repository
from fitcoach.scheduling.sessions.rules import BookingStatus, local_iso, zone_named
from fitcoach.worker.jobs import JobContext, recurring

# (how long before the start, its name, urgent): each reminder covers the starts between the
# next shorter one's lead and its own, so a session booked late gets only what still applies.
REMINDERS = ((timedelta(hours=24), "24h", False), (timedelta(hours=1), "1h", True))


async def send_reminders(session: AsyncSession, now: datetime) -> int:
    """Remind every booked participant of what starts soon; how many were newly reminded."""
    sent = 0
    shorter = [lead for lead, _name, _urgent in REMINDERS[1:]] + [timedelta(0)]
    for (lead, name, urgent), after in zip(REMINDERS, shorter, strict=True):
        due = await session_repository.starting_between(session, (now + after, now + lead))
        bookings = await session_repository.bookings_of_sessions(session, [one.id for one in due])
        for sess in due:
            when = local_iso(sess.start_at, zone_named(sess.timezone)).replace("T", " ")
            for booking in bookings[sess.id]:
                if booking.status != BookingStatus.booked.value:
                    continue
                notification = await notification_service.notify(
                    session,
                    NotificationRequest(
                        user_id=booking.customer_id,
                        category=NotificationCategory.sessions,
                        title=f"Session in {'1 hour' if urgent else '24 hours'}",
                        body=f"Your session starts {when} ({sess.timezone}) at {sess.location}.",
                        data={"sessionId": str(sess.id)},
                        urgent=urgent,
                        dedupe_key=f"reminder:{name}:{sess.id}:{sess.sequence}",
                    ),
                    now,
                )
                sent += notification is not None
    return sent


@recurring("scheduling.send_reminders", cron="*/5 * * * *")
async def send_reminders_job(ctx: JobContext) -> None:
    await send_reminders(ctx.session, ctx.now)
