"""Push to a user's devices: Web Push (pywebpush, VAPID) for browsers, FCM HTTP v1 for phones.
A device the push service calls gone (404/410) is reported dead, and removed by the caller.
`console` logs, `outbox` records in memory; `live` talks to the real services."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from fitcoach.models.enums import DeviceKind, NotificationChannel
from fitcoach.notifications.channels import (
    NOWHERE,
    ChannelRejected,
    ChannelUnavailable,
    DeviceTarget,
    OutboundMessage,
    Outbox,
    RecordedMessage,
    SendResult,
)

log = structlog.get_logger("fitcoach.notifications.push")

# Statuses with which a push service says the subscription or token no longer exists.
GONE_STATUSES = frozenset({404, 410})


class DeadDevice(Exception):
    """The push service no longer knows this device."""


class PushSender(Protocol):
    async def push(self, device: DeviceTarget, message: OutboundMessage) -> None: ...

    async def aclose(self) -> None: ...


def push_payload(message: OutboundMessage) -> dict[str, object]:
    return {
        "notificationId": str(message.notification_id),
        "category": message.category,
        "title": message.title,
        "body": message.body,
        "data": message.data,
    }


def raise_for_push_status(status: int, detail: str) -> None:
    if status < 300:
        return
    if status in GONE_STATUSES:
        raise DeadDevice(detail)
    if status == 429 or status >= 500:
        raise ChannelUnavailable(detail)
    raise ChannelRejected(detail)


@dataclass
class ConsolePushSender:
    async def push(self, device: DeviceTarget, message: OutboundMessage) -> None:
        # The device token is a credential of sorts: never logged.
        log.info("push", device_id=str(device.id), kind=device.kind, title=message.title)

    async def aclose(self) -> None:
        return None


@dataclass
class OutboxPushSender:
    outbox: Outbox = field(default_factory=Outbox)

    async def push(self, device: DeviceTarget, message: OutboundMessage) -> None:
        self.outbox.messages.append(
            RecordedMessage(channel=NotificationChannel.push, message=message, device=device)
        )

    async def aclose(self) -> None:
        return None


class PushChannel:
    """Every device of the user, each through the sender for its kind. Sent if any device took
    it; unavailable (retried) if none did and one may later."""

    name = NotificationChannel.push

    def __init__(self, senders: dict[DeviceKind, PushSender]) -> None:
        self._senders = senders

    async def send(self, message: OutboundMessage) -> SendResult:
        devices = message.recipient.devices
        if not devices:
            return NOWHERE
        outcomes = await asyncio.gather(
            *(self._push_one(device, message) for device in devices), return_exceptions=True
        )
        dead = tuple(
            device.id
            for device, outcome in zip(devices, outcomes, strict=True)
            if isinstance(outcome, DeadDevice)
        )
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        for failure in failures:
            if not isinstance(failure, DeadDevice | ChannelUnavailable | ChannelRejected):
                raise failure
        delivered = len(failures) < len(devices)
        if delivered or len(dead) == len(devices):
            return SendResult(dead_devices=dead, nowhere=not delivered)
        transient = [failure for failure in failures if isinstance(failure, ChannelUnavailable)]
        if transient:
            raise ChannelUnavailable(str(transient[0]))
        raise ChannelRejected(str(failures[0]))

    async def _push_one(self, device: DeviceTarget, message: OutboundMessage) -> None:
        sender = self._senders.get(device.kind)
        if sender is None:
            raise ChannelRejected(f"no {device.kind} push service configured")
        await sender.push(device, message)

    async def aclose(self) -> None:
        for sender in self._senders.values():
            await sender.aclose()


def encode_payload(message: OutboundMessage) -> str:
    return json.dumps(push_payload(message))
