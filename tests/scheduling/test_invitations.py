"""Invitation e-mails: booking a customer, moving and calling off their session each e-mails
them (when they chose e-mail for sessions) an invitation whose invite.ics, parsed back with the
icalendar library, is METHOD:REQUEST or CANCEL with the feed's UID and a rising SEQUENCE; sent
over SMTP to a local stand-in server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message

import icalendar
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from fitcoach.models import User
from fitcoach.notifications.delivery import deliver_due_notifications
from tests.factories import Account, Factory, with_settings
from tests.notifications.smtp_server import Inbox, free_port
from tests.scheduling.helpers import SESSIONS, at, change, grant_sessions, run_events, scheduled

_PORT = free_port()


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_PORT)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


async def _wants_email(factory: Factory, app: FastAPI, customer: Account) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get(User, customer.id)
        assert user is not None
        user.email_verified = True
    chose = await factory.client.put(
        "/api/v1/notifications/preferences",
        json={"channels": [{"category": "sessions", "channel": "email", "enabled": True}]},
        headers=customer.headers,
    )
    assert chose.status_code == 200, chose.text


async def _delivered(factory: Factory, app: FastAPI) -> None:
    await run_events(factory)
    await deliver_due_notifications(app.state.sessionmaker, app.state.notification_providers)


def _invitation(message: Message) -> icalendar.Event:
    """The one VEVENT of the message's invite.ics, checked against its part's method."""
    [part] = [one for one in message.walk() if one.get_filename() == "invite.ics"]
    assert part.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == str(calendar["method"])
    [event] = calendar.walk("VEVENT")
    event["X-METHOD"] = str(calendar["method"])
    return event


@with_settings(
    email_provider="smtp",
    smtp_host="127.0.0.1",
    smtp_port=_PORT,
    smtp_security="none",
    email_timeout_seconds=5,
)
async def test_booking_moving_and_calling_off_send_invitations(
    factory: Factory, app: FastAPI, smtp_inbox: Inbox
) -> None:
    coach = await factory.coach()
    ann = await factory.customer(email="ann@example.com")
    await grant_sessions(factory, [ann])
    await _wants_email(factory, app, ann)
    yoga = await scheduled(factory, coach, coach, type="class", capacity=4)
    booked = await factory.client.post(f"{SESSIONS}/{yoga['id']}/bookings", headers=ann.headers)
    assert booked.status_code == 201, booked.text
    await _delivered(factory, app)
    moved = await change(
        factory, coach, yoga["id"], status="rescheduled", newTime=at(factory, 2, 12)
    )
    assert moved.status_code == 200, moved.text
    await _delivered(factory, app)
    assert (await change(factory, coach, yoga["id"], status="canceled")).status_code == 200
    await _delivered(factory, app)

    sent = [message for _sender, to, message in smtp_inbox.messages if to == ["ann@example.com"]]
    assert [message["Subject"] for message in sent] == [
        "You're booked",
        "Session moved",
        "Session canceled",
    ]
    invited, updated, canceled = (_invitation(message) for message in sent)
    assert {str(one["uid"]) for one in (invited, updated, canceled)} == {f"{yoga['id']}@fitcoach"}
    assert [str(one["X-METHOD"]) for one in (invited, updated, canceled)] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    assert [int(one["sequence"]) for one in (invited, updated, canceled)] == [0, 1, 2]
    assert str(canceled["status"]) == "CANCELLED"
    assert invited.decoded("dtstart").hour == 12  # 10:00 UTC in Cairo
    assert updated.decoded("dtstart").hour == 14
    # The feed carries the same UID at the same SEQUENCE.
    token = await factory.client.post("/api/v1/calendar/token", headers=ann.headers)
    feed = await factory.client.get(token.json()["data"]["url"])
    [in_feed] = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert (str(in_feed["uid"]), int(in_feed["sequence"])) == (f"{yoga['id']}@fitcoach", 2)
