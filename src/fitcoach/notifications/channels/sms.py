"""SMS through the provider the one-time codes use (Twilio, console or outbox)."""

from __future__ import annotations

from typing import Protocol

import structlog

from fitcoach.models.enums import NotificationChannel
from fitcoach.notifications.channels import (
    NOWHERE,
    ChannelUnavailable,
    OutboundMessage,
    SendResult,
)

log = structlog.get_logger("fitcoach.notifications.sms")


class TextSender(Protocol):
    """The SMS provider's shape (auth.otp.providers.SmsProvider), without importing sign-in."""

    name: str

    async def send(self, phone: str, text: str) -> None: ...


class SmsChannel:
    name = NotificationChannel.sms

    def __init__(self, sender: TextSender) -> None:
        self._sender = sender

    async def send(self, message: OutboundMessage) -> SendResult:
        phone = message.recipient.phone
        if phone is None:
            return NOWHERE
        try:
            await self._sender.send(phone, f"{message.title}: {message.body}")
        except Exception as exc:
            # The provider's own errors belong to sign-in; any failure here is retried, and
            # the attempts cap turns a permanent refusal into a final failure.
            raise ChannelUnavailable(f"{self._sender.name}: {type(exc).__name__}") from exc
        return SendResult()

    async def aclose(self) -> None:
        return None
