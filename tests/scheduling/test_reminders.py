"""Reminders 24 hours and 1 hour before a session, by the recurring job: once each, again at a
rescheduled time, the 24-hour one held back by quiet hours and the 1-hour one not."""

from __future__ import annotations

from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Delivery, Notification
from fitcoach.scheduling.reminders import send_reminders
from tests.factories import Factory
from tests.scheduling.helpers import change, grant_sessions, scheduled
from tests.training.helpers import refresh, set_local_time

CAIRO = "Africa/Cairo"


async def _remind(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session, session.begin():
        return await send_reminders(session, factory.now)


async def _push_due(factory: Factory, title: str) -> list[str]:
    """When each push delivery of notifications titled `title` is due, local Cairo time."""
    async with factory.app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(Delivery.due_at)
            .join(Notification, Notification.id == Delivery.notification_id)
            .where(Notification.title == title, Delivery.channel == "push")
        )
        return [one.astimezone(factory.now.tzinfo).isoformat() for one in rows]


async def test_reminders_24h_and_1h_before_respecting_quiet_hours_except_the_last(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-01-03T01:00:00", CAIRO)
    coach, customer = await factory.coach(), await factory.customer()
    await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [customer])
    quiet = await factory.client.put(
        "/api/v1/notifications/preferences",
        json={"quietHours": {"start": "22:00", "end": "07:00"}, "timeZone": CAIRO},
        headers=customer.headers,
    )
    assert quiet.status_code == 200, quiet.text
    # 02:00 Cairo the next night: the 24-hour reminder falls in the quiet hours (01:00-02:00).
    sess = await scheduled(
        factory,
        coach,
        coach,
        timezone=CAIRO,
        startTime="2027-01-04T02:00:00",
        endTime="2027-01-04T03:00:00",
        participants=[customer.user_id],
    )
    assert await _remind(factory) == 0

    clock.advance(hours=1, minutes=5)  # 02:05 Cairo, 23h55 before
    assert await _remind(factory) == 1
    assert await _remind(factory) == 0
    # Held until the quiet hours end at 07:00 Cairo (05:00 UTC).
    assert await _push_due(factory, "Session in 24 hours") == ["2027-01-03T05:00:00+00:00"]

    await refresh(factory, coach)
    await change(factory, coach, sess["id"], status="rescheduled", newTime="2027-01-04T01:30:00")
    assert await _remind(factory) == 1  # the new time is reminded of again

    clock.advance(hours=22)  # 00:05 Cairo on the 4th: 1h25 before 01:30
    assert await _remind(factory) == 0
    clock.advance(minutes=30)  # 55 minutes before: urgent, through the quiet hours
    assert await _remind(factory) == 1
    assert await _push_due(factory, "Session in 1 hour") == [clock.now().isoformat()]
