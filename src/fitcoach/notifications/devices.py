"""Push devices: a browser's Web Push subscription or a phone's FCM token, registered by the
signed-in user. A token registered again moves to whoever registered it last (a shared
browser, a phone handed on)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Device
from fitcoach.models.enums import DeviceKind
from fitcoach.notifications.exceptions import DeviceNotFound, PushEndpointNotAllowed
from fitcoach.notifications.repository import notification_repository


@dataclass(frozen=True)
class DeviceRegistration:
    kind: DeviceKind
    # The FCM token, or the Web Push subscription's endpoint.
    token: str
    p256dh: str | None = None
    auth: str | None = None


class DeviceService:
    async def register(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        registration: DeviceRegistration,
        *,
        https_only: bool,
    ) -> Device:
        """`https_only` (production): the server will POST to a Web Push endpoint, so it must
        at least be a TLS URL, never a plain-http address on the server's own network."""
        webpush = registration.kind is DeviceKind.webpush
        if webpush and https_only and urlsplit(registration.token).scheme != "https":
            raise PushEndpointNotAllowed()
        device = await notification_repository.device_by_token(session, registration.token)
        if device is None:
            device = Device(user_id=user_id, token=registration.token)
            session.add(device)
        device.user_id = user_id
        device.kind = registration.kind.value
        device.p256dh = registration.p256dh
        device.auth = registration.auth
        await session.flush()
        return device

    async def remove(self, session: AsyncSession, user_id: uuid.UUID, device_id: uuid.UUID) -> None:
        device = await notification_repository.own_device(session, user_id, device_id)
        if device is None:
            raise DeviceNotFound()
        await session.delete(device)
        await session.flush()


device_service = DeviceService()
