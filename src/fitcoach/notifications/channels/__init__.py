"""The outbound channels behind one interface: each takes a message for one user and sends it,
or says why it could not (for now, try again later; never; or nowhere to send it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from fitcoach.models.enums import DeviceKind, NotificationChannel


class ChannelUnavailable(Exception):
    """The service could not be reached or answered with a transient error: try again later."""


class ChannelRejected(Exception):
    """The service refused the message for good."""


@dataclass(frozen=True)
class DeviceTarget:
    id: uuid.UUID
    kind: DeviceKind
    token: str
    p256dh: str | None = None
    auth: str | None = None


@dataclass(frozen=True)
class Recipient:
    user_id: uuid.UUID
    name: str
    # Only verified addresses: a message never goes to a number or mailbox nobody proved.
    phone: str | None
    email: str | None
    devices: tuple[DeviceTarget, ...] = ()


@dataclass(frozen=True)
class OutboundMessage:
    notification_id: uuid.UUID
    category: str
    title: str
    body: str
    data: dict[str, Any]
    recipient: Recipient
    # An iCalendar invitation the e-mail channel attaches (the other channels ignore it).
    calendar: str | None = None


@dataclass(frozen=True)
class SendResult:
    # Push devices the service said are gone (404/410); they are removed.
    dead_devices: tuple[uuid.UUID, ...] = ()
    # The user has nowhere on this channel to send to (no device, no verified address).
    nowhere: bool = False
    detail: str | None = None


NOWHERE = SendResult(nowhere=True)


class Channel(Protocol):
    name: NotificationChannel

    async def send(self, message: OutboundMessage) -> SendResult: ...

    async def aclose(self) -> None: ...


@dataclass
class RecordedMessage:
    channel: NotificationChannel
    message: OutboundMessage
    device: DeviceTarget | None = None


@dataclass
class Outbox:
    """What the in-memory channels "sent", for tests and local QA."""

    messages: list[RecordedMessage] = field(default_factory=list)

    def to(self, user_id: uuid.UUID, channel: NotificationChannel) -> list[OutboundMessage]:
        return [
            recorded.message
            for recorded in self.messages
            if recorded.channel is channel and recorded.message.recipient.user_id == user_id
        ]
