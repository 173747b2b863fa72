"""Firebase Cloud Messaging, HTTP v1 API: a service account signs a JWT, trades it for an
OAuth access token (kept until shortly before it expires), and sends one message per token."""

from __future__ import annotations

import json
import time

import httpx
import jwt

from fitcoach.config import Settings
from fitcoach.notifications.channels import (
    ChannelRejected,
    ChannelUnavailable,
    DeviceTarget,
    OutboundMessage,
)
from fitcoach.notifications.channels.push import raise_for_push_status

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
TOKEN_LIFETIME_SECONDS = 3_600
# Renew this long before the token's end, so no request carries one that expires in flight.
RENEW_MARGIN_SECONDS = 300


class FcmSender:
    def __init__(self, settings: Settings) -> None:
        if not (settings.fcm_project_id and settings.fcm_client_email and settings.fcm_private_key):
            raise ValueError(
                "FITCOACH_PUSH_PROVIDER=live needs FITCOACH_FCM_PROJECT_ID, "
                "FITCOACH_FCM_CLIENT_EMAIL and FITCOACH_FCM_PRIVATE_KEY"
            )
        self._client_email = settings.fcm_client_email
        self._private_key = settings.fcm_private_key.get_secret_value()
        self._token_url = settings.fcm_token_url
        self._send_url = (
            f"{settings.fcm_base_url.rstrip('/')}/v1/projects/{settings.fcm_project_id}"
            "/messages:send"
        )
        self._client = httpx.AsyncClient(timeout=settings.push_timeout_seconds)
        self._access_token: str | None = None
        self._renew_at = 0.0

    async def _token(self) -> str:
        if self._access_token is not None and time.monotonic() < self._renew_at:
            return self._access_token
        issued = int(time.time())
        assertion = jwt.encode(
            {
                "iss": self._client_email,
                "scope": SCOPE,
                "aud": self._token_url,
                "iat": issued,
                "exp": issued + TOKEN_LIFETIME_SECONDS,
            },
            self._private_key,
            algorithm="RS256",
        )
        response = await self._post(
            self._token_url,
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            },
        )
        if response.status_code >= 500:
            raise ChannelUnavailable(f"FCM token HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ChannelRejected(f"FCM token HTTP {response.status_code}")
        body = response.json()
        self._access_token = str(body["access_token"])
        lifetime = int(body.get("expires_in", TOKEN_LIFETIME_SECONDS))
        self._renew_at = time.monotonic() + max(lifetime - RENEW_MARGIN_SECONDS, 0)
        return self._access_token

    async def push(self, device: DeviceTarget, message: OutboundMessage) -> None:
        access_token = await self._token()
        response = await self._post(
            self._send_url,
            json={
                "message": {
                    "token": device.token,
                    "notification": {"title": message.title, "body": message.body},
                    # FCM data values are strings only.
                    "data": {
                        "notificationId": str(message.notification_id),
                        "category": message.category,
                        "payload": json.dumps(message.data),
                    },
                }
            },
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if response.status_code == 401:
            # Revoked or expired early: the next attempt fetches a new one.
            self._access_token = None
            raise ChannelUnavailable("FCM HTTP 401")
        raise_for_push_status(response.status_code, f"FCM HTTP {response.status_code}")

    async def _post(self, url: str, **kwargs: object) -> httpx.Response:
        try:
            return await self._client.post(url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise ChannelUnavailable(f"FCM: {type(exc).__name__}") from exc

    async def aclose(self) -> None:
        await self._client.aclose()
