"""Email delivery behind one interface. `console` (the default) logs the message, `outbox` keeps
it in memory for tests and local QA tools, `smtp` hands it to an SMTP server (smtplib, run in a
worker thread so the event loop never blocks on the network)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

import anyio.to_thread
import structlog
from fastapi import FastAPI

from fitcoach.config import Environment, Settings

log = structlog.get_logger("fitcoach.email")


class EmailDeliveryError(Exception):
    """The server could not be reached, or refused the message."""


class EmailProvider(Protocol):
    name: str

    async def send(self, to: str, subject: str, text: str) -> None: ...


@dataclass
class ConsoleEmailProvider:
    """For development: one log line per message, the only place a code may appear in a log."""

    name: str = "console"

    async def send(self, to: str, subject: str, text: str) -> None:
        log.info("email", to=to, subject=subject, text=text)


@dataclass
class SentEmail:
    to: str
    subject: str
    text: str


@dataclass
class OutboxEmailProvider:
    name: str = "outbox"
    messages: list[SentEmail] = field(default_factory=list)

    async def send(self, to: str, subject: str, text: str) -> None:
        self.messages.append(SentEmail(to=to, subject=subject, text=text))


class SmtpEmailProvider:
    """One connection per message: verification mail is rare, and a fresh connection has no
    stale state to recover from."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._security = settings.smtp_security
        self._username = settings.smtp_username
        self._password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        self._sender = settings.email_from
        self._timeout = settings.email_timeout_seconds

    def _message(self, to: str, subject: str, text: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        return message

    def _send_blocking(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self._security == "ssl":
            smtp = smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        with smtp:
            if self._security == "starttls":
                smtp.starttls(context=context)
            if self._username:
                smtp.login(self._username, self._password)
            smtp.send_message(message)

    async def send(self, to: str, subject: str, text: str) -> None:
        try:
            await anyio.to_thread.run_sync(self._send_blocking, self._message(to, subject, text))
        except (smtplib.SMTPException, OSError) as exc:
            raise EmailDeliveryError(type(exc).__name__) from exc
        log.info("email_sent", provider=self.name)


def create_email_provider(settings: Settings) -> EmailProvider:
    if settings.email_provider == "smtp":
        return SmtpEmailProvider(settings)
    if settings.email_provider == "outbox":
        if settings.env is Environment.production:
            raise ValueError("the outbox email provider keeps codes in memory; not for production")
        return OutboxEmailProvider()
    return ConsoleEmailProvider()


def email_provider_of(app: FastAPI) -> EmailProvider:
    """The provider create_app made from the app's settings."""
    provider: EmailProvider = app.state.email_provider
    return provider
