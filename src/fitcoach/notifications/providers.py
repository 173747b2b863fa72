"""The channels a process sends through, made once from the settings: each outside service
with a local default (console logs, outbox keeps in memory for tests)."""

from __future__ import annotations

from dataclasses import dataclass

from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.models.enums import DeviceKind, NotificationChannel
from fitcoach.notifications.channels import Channel, Outbox
from fitcoach.notifications.channels.email import LocalEmailChannel, SmtpEmailChannel
from fitcoach.notifications.channels.fcm import FcmSender
from fitcoach.notifications.channels.push import (
    ConsolePushSender,
    OutboxPushSender,
    PushChannel,
    PushSender,
)
from fitcoach.notifications.channels.sms import SmsChannel, TextSender


@dataclass(frozen=True)
class NotificationProviders:
    """What delivering needs besides a database: the channels, the clock and the retry cap.
    `outbox` holds what the in-memory channels recorded (None when none records)."""

    channels: dict[NotificationChannel, Channel]
    clock: Clock
    max_attempts: int
    outbox: Outbox | None = None

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()


def _push_senders(settings: Settings, outbox: Outbox) -> dict[DeviceKind, PushSender]:
    if settings.push_provider == "live":
        # Imported only here: Web Push brings aiohttp and requests, most of a second of start-up
        # for every server worker of a deployment that never pushes.
        from fitcoach.notifications.channels.webpush import WebPushSender

        senders: dict[DeviceKind, PushSender] = {}
        # Each service is used only when configured: a product without an app has no FCM.
        if settings.webpush_vapid_private_key is not None:
            senders[DeviceKind.webpush] = WebPushSender(settings)
        if settings.fcm_project_id is not None:
            senders[DeviceKind.fcm] = FcmSender(settings)
        if not senders:
            raise ValueError("FITCOACH_PUSH_PROVIDER=live needs Web Push (VAPID) or FCM settings")
        return senders
    local: PushSender = (
        OutboxPushSender(outbox) if settings.push_provider == "outbox" else ConsolePushSender()
    )
    return {DeviceKind.webpush: local, DeviceKind.fcm: local}


def create_notification_providers(
    settings: Settings, sms: TextSender, clock: Clock
) -> NotificationProviders:
    outbox = Outbox()
    email: Channel = (
        SmtpEmailChannel(settings)
        if settings.email_provider == "smtp"
        else LocalEmailChannel(outbox if settings.email_provider == "outbox" else None)
    )
    channels: dict[NotificationChannel, Channel] = {
        NotificationChannel.push: PushChannel(_push_senders(settings, outbox)),
        NotificationChannel.email: email,
        NotificationChannel.sms: SmsChannel(sms),
    }
    return NotificationProviders(
        channels=channels,
        clock=clock,
        max_attempts=settings.notification_max_attempts,
        outbox=outbox,
    )
