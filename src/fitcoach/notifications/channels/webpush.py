"""Web Push to browsers (RFC 8030 with VAPID, RFC 8291 payload encryption) through pywebpush."""

from __future__ import annotations

import aiohttp
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from fitcoach.config import Settings
from fitcoach.notifications.channels import (
    ChannelRejected,
    ChannelUnavailable,
    DeviceTarget,
    OutboundMessage,
)
from fitcoach.notifications.channels.push import encode_payload, raise_for_push_status

# How long a push service keeps a message for a browser that is offline.
TTL_SECONDS = 86_400


def load_vapid_key(private_key: str) -> Vapid:
    """A PEM key, or the base64url raw/DER form web-push tools print."""
    if private_key.lstrip().startswith("-----BEGIN"):
        return Vapid.from_pem(private_key.encode())
    return Vapid.from_string(private_key)


class WebPushSender:
    def __init__(self, settings: Settings) -> None:
        if settings.webpush_vapid_private_key is None:
            raise ValueError("FITCOACH_PUSH_PROVIDER=live needs FITCOACH_WEBPUSH_VAPID_PRIVATE_KEY")
        self._vapid = load_vapid_key(settings.webpush_vapid_private_key.get_secret_value())
        self._subject = settings.webpush_vapid_subject
        self._timeout = aiohttp.ClientTimeout(total=settings.push_timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def push(self, device: DeviceTarget, message: OutboundMessage) -> None:
        if not device.p256dh or not device.auth:
            raise ChannelRejected("a Web Push subscription without its keys")
        if self._session is None:
            # Made on first use: a ClientSession belongs to the running event loop.
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            await webpush_async(
                subscription_info={
                    "endpoint": device.token,
                    "keys": {"p256dh": device.p256dh, "auth": device.auth},
                },
                data=encode_payload(message),
                vapid_private_key=self._vapid,
                # A fresh dict per push: pywebpush writes the audience and expiry into it.
                vapid_claims={"sub": self._subject},
                timeout=self._timeout,
                ttl=TTL_SECONDS,
                aiohttp_session=self._session,
            )
        except WebPushException as exc:
            status = exc.response.status if exc.response is not None else 0
            raise_for_push_status(status or 502, f"Web Push HTTP {status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ChannelUnavailable(f"Web Push: {type(exc).__name__}") from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
