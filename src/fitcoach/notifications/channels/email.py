"""Notification e-mail: a text and an HTML part rendered from Jinja2 templates (HTML
autoescaped, so a title cannot inject markup), sent over SMTP with aiosmtplib."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib
import structlog
from jinja2 import Environment, PackageLoader, select_autoescape

from fitcoach.config import Settings
from fitcoach.models.enums import NotificationChannel
from fitcoach.notifications.channels import (
    NOWHERE,
    ChannelRejected,
    ChannelUnavailable,
    OutboundMessage,
    Outbox,
    RecordedMessage,
    SendResult,
)

log = structlog.get_logger("fitcoach.notifications.email")

_templates = Environment(
    loader=PackageLoader("fitcoach.notifications", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    keep_trailing_newline=True,
)


def render_email(message: OutboundMessage, app_name: str, sender: str) -> EmailMessage:
    context = {
        "name": message.recipient.name,
        "title": message.title,
        "body": message.body,
        "category": message.category,
        "app_name": app_name,
    }
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient.email or ""
    email["Subject"] = message.title
    email.set_content(_templates.get_template("notification.txt.j2").render(context))
    email.add_alternative(
        _templates.get_template("notification.html.j2").render(context), subtype="html"
    )
    if message.calendar is not None:
        _attach_invitation(email, message.calendar)
    return email


def _attach_invitation(email: EmailMessage, calendar: str) -> None:
    """The invitation as calendar clients look for it: a text/calendar part whose `method`
    matches the document's METHOD (REQUEST adds or updates the event, CANCEL removes it), as
    the attachment invite.ics."""
    method = next(
        (
            line.split(":", 1)[1].strip()
            for line in calendar.splitlines()
            if line.startswith("METHOD:")
        ),
        "PUBLISH",
    )
    email.add_attachment(
        calendar,
        subtype="calendar",
        filename="invite.ics",
        params={"method": method},
    )


class SmtpEmailChannel:
    name = NotificationChannel.email

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._password = (
            settings.smtp_password.get_secret_value() if settings.smtp_password else None
        )

    async def send(self, message: OutboundMessage) -> SendResult:
        if message.recipient.email is None:
            return NOWHERE
        settings = self._settings
        email = render_email(message, settings.app_name, settings.email_from)
        try:
            await aiosmtplib.send(
                email,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                use_tls=settings.smtp_security == "ssl",
                start_tls=settings.smtp_security == "starttls",
                username=settings.smtp_username,
                password=self._password,
                timeout=settings.email_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise ChannelRejected("recipient refused") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ChannelUnavailable(f"SMTP: {type(exc).__name__}") from exc
        return SendResult()

    async def aclose(self) -> None:
        return None


@dataclass
class LocalEmailChannel:
    """`console` logs the subject line; `outbox` records the message for tests."""

    outbox: Outbox | None = None
    name: NotificationChannel = field(default=NotificationChannel.email)

    async def send(self, message: OutboundMessage) -> SendResult:
        if message.recipient.email is None:
            return NOWHERE
        if self.outbox is not None:
            self.outbox.messages.append(RecordedMessage(channel=self.name, message=message))
        else:
            log.info("notification_email", subject=message.title)
        return SendResult()

    async def aclose(self) -> None:
        return None
