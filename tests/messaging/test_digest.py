"""The unread-message e-mail digest, by its recurring job on a moved clock and over a local
SMTP server (aiosmtpd): one e-mail per recipient for the messages left unread past the
setting, never the same messages twice, none for what was read, none when the recipient
turned the digest's e-mail off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from fitcoach.messaging.threads.digest import send_unread_digests
from fitcoach.models import User
from fitcoach.models.enums import NotificationChannel
from fitcoach.notifications.channels.email import SmtpEmailChannel
from fitcoach.notifications.delivery import deliver_due_notifications
from tests.conftest import make_settings
from tests.factories import Account, Factory
from tests.messaging.helpers import read_up_to, sent
from tests.notifications.smtp_server import Inbox, free_port
from tests.training.helpers import refresh

AFTER = timedelta(minutes=60)


@pytest.fixture
def smtp_inbox(app: FastAPI, tmp_path: Path) -> Iterator[Inbox]:
    """The app's e-mail channel pointed at a local SMTP server; what it received."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = make_settings(
        "sqlite+aiosqlite:///:memory:",
        tmp_path,
        email_provider="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        email_from="fitcoach <no-reply@fitcoach.test>",
        email_timeout_seconds=2,
    )
    app.state.notification_providers.channels[NotificationChannel.email] = SmtpEmailChannel(
        settings
    )
    try:
        yield inbox
    finally:
        controller.stop()


async def _verified(factory: Factory, account: Account) -> None:
    async with factory.app.state.sessionmaker() as session, session.begin():
        user = await session.get(User, account.id)
        assert user is not None
        user.email_verified = True


async def _digest(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session, session.begin():
        count = await send_unread_digests(session, factory.now, AFTER)
    await deliver_due_notifications(
        factory.app.state.sessionmaker, factory.app.state.notification_providers
    )
    return count


async def test_one_digest_for_what_stayed_unread_and_never_the_same_messages_twice(
    factory: Factory, clock: FrozenClock, smtp_inbox: Inbox
) -> None:
    coach = await factory.coach(name="Coach Kim")
    admin = await factory.admin(name="Support Sam")
    customer = await factory.customer(name="Mona", email="mona@example.com")
    await _verified(factory, customer)
    await factory.assign_coach(coach, customer)
    await sent(factory.client, coach, customer, "Warm up first")
    await sent(factory.client, coach, customer, "Then the squats")
    await sent(factory.client, admin, customer, "Your invoice is ready")

    clock.advance(minutes=59)
    assert await _digest(factory) == 0
    clock.advance(minutes=1)
    assert await _digest(factory) == 1  # the customer's; the senders have nothing unread
    [(_, recipients, message)] = smtp_inbox.messages
    assert recipients == ["mona@example.com"]
    assert message["Subject"] == "3 unread messages"
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert "2 from Coach Kim" in text
    assert "1 from Support Sam" in text
    assert await _digest(factory) == 0

    # A message read in time is in no digest; one left unread is in the next, alone.
    clock.advance(minutes=1)
    for account in (coach, admin, customer):
        await refresh(factory, account)
    read = await sent(factory.client, coach, customer, "Did you stretch?")
    response = await read_up_to(factory.client, customer, read["threadId"], read["id"])
    assert response.status_code == 200, response.text
    await sent(factory.client, admin, customer, "Reminder: invoice")
    clock.advance(minutes=61)
    assert await _digest(factory) == 1
    assert [one[2]["Subject"] for one in smtp_inbox.messages] == [
        "3 unread messages",
        "1 unread message",
    ]


async def test_no_digest_e_mail_when_the_recipient_turned_it_off(
    factory: Factory, clock: FrozenClock, smtp_inbox: Inbox
) -> None:
    admin = await factory.admin()
    customer = await factory.customer(email="quiet@example.com")
    await _verified(factory, customer)
    off = await factory.client.put(
        "/api/v1/notifications/preferences",
        json={"channels": [{"category": "message_digest", "channel": "email", "enabled": False}]},
        headers=customer.headers,
    )
    assert off.status_code == 200, off.text
    await sent(factory.client, admin, customer, "Hello")
    clock.advance(hours=2)
    await _digest(factory)
    assert smtp_inbox.messages == []
