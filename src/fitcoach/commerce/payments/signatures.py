"""Stripe's webhook signature scheme, which the sandbox signs its own events with too:
`Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (several v1 may be
given while a secret is being rolled), accepted within a tolerance of the server's clock. Our own
implementation rather than the library's, so the tolerance is checked against the injected clock
and each refusal keeps its own code."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from fitcoach.commerce.payments.exceptions import (
    WebhookSignatureInvalid,
    WebhookSignatureMissing,
    WebhookSignatureStale,
)

HEADER = "Stripe-Signature"


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, now: datetime) -> str:
    """The header value for `body` signed at `now`."""
    timestamp = int(now.timestamp())
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: datetime, tolerance: int) -> None:
    """Refuse a missing, malformed or wrong signature, and one signed outside the tolerance."""
    if not header:
        raise WebhookSignatureMissing()
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value)
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        raise WebhookSignatureInvalid()
    timestamp = int(timestamps[0])
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise WebhookSignatureInvalid()
    if abs(now.timestamp() - timestamp) > tolerance:
        raise WebhookSignatureStale()
