"""The notification e-mail channel (aiosmtplib, Jinja2 templates) against a local SMTP server
(aiosmtpd): a text and an HTML part, the HTML escaped; no verified address, nothing sent; a
server that cannot be reached is a failure to retry."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI

from fitcoach.models import User
from fitcoach.models.enums import NotificationCategory, NotificationChannel
from fitcoach.notifications.channels import (
    NOWHERE,
    ChannelUnavailable,
    OutboundMessage,
    Recipient,
    SendResult,
)
from fitcoach.notifications.channels.email import SmtpEmailChannel
from fitcoach.notifications.delivery import deliver_due_notifications
from fitcoach.notifications.service import NotificationRequest, notification_service
from tests.conftest import make_settings
from tests.factories import Factory, with_settings
from tests.notifications.smtp_server import Inbox


def _message(email: str | None) -> OutboundMessage:
    return OutboundMessage(
        notification_id=uuid.uuid4(),
        category="account",
        title="New sign-in <from Cairo>",
        body="Your account was used on a new device & browser.",
        data={},
        recipient=Recipient(user_id=uuid.uuid4(), name="Mona", phone=None, email=email),
    )


def _channel(tmp_path: Path, port: int) -> SmtpEmailChannel:
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
    return SmtpEmailChannel(settings)


async def test_a_text_and_an_html_part(smtp_server: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    result = await _channel(tmp_path, port).send(_message("mona@example.com"))
    assert result == SendResult()
    [(sender, recipients, message)] = inbox.messages
    assert sender == "no-reply@fitcoach.test"
    assert recipients == ["mona@example.com"]
    assert message["Subject"] == "New sign-in <from Cairo>"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_payload()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    text_body = text.get_payload(decode=True).decode()
    html_body = html.get_payload(decode=True).decode()
    assert "Hello Mona," in text_body
    assert "New sign-in <from Cairo>" in text_body
    assert "New sign-in &lt;from Cairo&gt;" in html_body
    assert "new device &amp; browser" in html_body


async def test_no_verified_address_sends_nothing(
    smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    assert await _channel(tmp_path, port).send(_message(None)) == NOWHERE
    assert inbox.messages == []


async def test_an_unreachable_server_is_retried(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(ChannelUnavailable):
        await _channel(tmp_path, closed_port).send(_message("mona@example.com"))


@with_settings(email_provider="outbox")
async def test_account_notices_go_by_email_to_a_verified_address(
    app: FastAPI, factory: Factory
) -> None:
    customer = await factory.customer(email="verified@example.com")
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get(User, customer.id)
        assert user is not None
        user.email_verified = True
        await notification_service.notify(
            session,
            NotificationRequest(
                user_id=customer.id,
                category=NotificationCategory.account,
                title="Password changed",
                body="Your password was changed.",
                dedupe_key="password-changed-1",
            ),
            app.state.clock.now(),
        )
    await deliver_due_notifications(app.state.sessionmaker, app.state.notification_providers)
    outbox = app.state.notification_providers.outbox
    [sent] = outbox.to(customer.id, NotificationChannel.email)
    assert sent.recipient.email == "verified@example.com"
