"""Each provider's webhook signature, in its own documented scheme:

- Fitbit: `X-Fitbit-Signature`, base64 of HMAC-SHA1 over the body, keyed with the client
  secret followed by `&`. Fitbit sends no timestamp: its deliveries are told apart by the hash
  of their body (a redelivery is the same body).
- Oura: `x-oura-signature`, upper-case hex HMAC-SHA256 over `x-oura-timestamp` (Unix seconds)
  followed by the body, keyed with the client secret.
- Whoop: `X-WHOOP-Signature`, base64 HMAC-SHA256 over `X-WHOOP-Signature-Timestamp` (Unix
  milliseconds) followed by the body, keyed with the client secret.
- partner: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`),
  signed by the `standardwebhooks` library with a `whsec_` secret, compared in constant time.

A signed timestamp outside the tolerance is a replay. The delivery id (the provider's own, else
a hash of what was signed) lets a repeated delivery be recognised."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from standardwebhooks import Webhook

from fitcoach.config import Settings
from fitcoach.integrations.wearables.exceptions import (
    InvalidWebhookSignature,
    WearableProviderNotConfigured,
    WebhookReplayed,
)


class WearableProvider(StrEnum):
    FITBIT = "fitbit"
    OURA = "oura"
    WHOOP = "whoop"
    PARTNER = "partner"


# The header each provider signs with: a delivery naming no provider is recognised by it.
SIGNATURE_HEADERS = {
    WearableProvider.FITBIT: "x-fitbit-signature",
    WearableProvider.OURA: "x-oura-signature",
    WearableProvider.WHOOP: "x-whoop-signature",
    WearableProvider.PARTNER: "webhook-signature",
}


@dataclass(frozen=True)
class SignedDelivery:
    provider: WearableProvider
    delivery_id: str


def _secret(settings: Settings, provider: WearableProvider) -> str:
    configured = {
        WearableProvider.FITBIT: settings.fitbit_client_secret,
        WearableProvider.OURA: settings.oura_client_secret,
        WearableProvider.WHOOP: settings.whoop_client_secret,
        WearableProvider.PARTNER: settings.wearable_partner_secret,
    }[provider]
    if configured is None:
        raise WearableProviderNotConfigured()
    return configured.get_secret_value()


def _digest(key: str, message: bytes, algorithm: str) -> bytes:
    return hmac.new(key.encode(), message, algorithm).digest()


def _matches(presented: str | None, expected: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


def _fresh(moment: datetime, now: datetime, settings: Settings) -> None:
    if abs(now - moment) > timedelta(seconds=settings.wearable_webhook_tolerance_seconds):
        raise WebhookReplayed()


def _timestamp(text: str | None, per_second: int) -> datetime:
    try:
        return datetime.fromtimestamp(int(text or "") / per_second, UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise InvalidWebhookSignature() from exc


def _hash_id(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def verify(
    provider: WearableProvider,
    headers: Mapping[str, str],
    body: bytes,
    settings: Settings,
    now: datetime,
) -> SignedDelivery:
    """The delivery, if `body` carries `provider`'s valid signature with a fresh timestamp."""
    secret = _secret(settings, provider)
    signature = headers.get(SIGNATURE_HEADERS[provider])
    if provider is WearableProvider.FITBIT:
        expected = base64.b64encode(_digest(f"{secret}&", body, "sha1")).decode()
        if not _matches(signature, expected):
            raise InvalidWebhookSignature()
        return SignedDelivery(provider, _hash_id(body))
    if provider is WearableProvider.OURA:
        stamp = headers.get("x-oura-timestamp", "")
        expected = _digest(secret, stamp.encode() + body, "sha256").hex().upper()
        if not _matches(signature.upper() if signature else None, expected):
            raise InvalidWebhookSignature()
        _fresh(_timestamp(stamp, 1), now, settings)
        return SignedDelivery(provider, _hash_id(stamp.encode(), body))
    if provider is WearableProvider.WHOOP:
        stamp = headers.get("x-whoop-signature-timestamp", "")
        expected = base64.b64encode(_digest(secret, stamp.encode() + body, "sha256")).decode()
        if not _matches(signature, expected):
            raise InvalidWebhookSignature()
        _fresh(_timestamp(stamp, 1000), now, settings)
        return SignedDelivery(provider, _hash_id(stamp.encode(), body))
    # The library signs as the scheme says; the tolerance is the app's, on the app's clock.
    # (Its own verify() also holds a fixed 5 minutes against the wall clock, which would
    # overrule FITCOACH_WEARABLE_WEBHOOK_TOLERANCE_SECONDS and the injected clock.)
    message_id = headers.get("webhook-id")
    moment = _timestamp(headers.get("webhook-timestamp"), 1)
    presented = (headers.get("webhook-signature") or "").split(" ")
    if not message_id:
        raise InvalidWebhookSignature()
    expected = Webhook(secret).sign(message_id, moment, body)
    if not any(_matches(one, expected) for one in presented):
        raise InvalidWebhookSignature()
    _fresh(moment, now, settings)
    return SignedDelivery(provider, message_id)
