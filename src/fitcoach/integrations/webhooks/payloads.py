"""What a partner receives: the Standard Webhooks body of an event (`type`, `timestamp`,
`data`), holding the event's envelope and the payload fields it may share, and the signed
headers of one attempt."""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import datetime
from typing import Any

from pydantic.alias_generators import to_camel
from standardwebhooks import Webhook

from fitcoach.worker.events import DomainEvent

SECRET_PREFIX = "whsec_"
_SECRET_BYTES = 24
# Defence in depth behind each event's own `private_fields`: a field so named never leaves.
_NEVER_SHARED = re.compile(r"secret|token|password|otp", re.IGNORECASE)


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()


def shared_fields(event: DomainEvent) -> dict[str, Any]:
    """The event as a partner may see it: its envelope and its payload, less the fields its
    class declares private (message texts, ...) and anything named like a credential."""
    hidden = event.private_fields
    payload = {
        to_camel(name): value
        for name, value in event.payload().items()
        if name not in hidden and _NEVER_SHARED.search(name) is None
    }
    return {
        "eventId": str(event.id),
        "subjectType": event.subject_type,
        "subjectId": event.subject_id,
        **payload,
    }


def event_body(event: DomainEvent) -> dict[str, Any]:
    return {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat(),
        "data": shared_fields(event),
    }


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def signed_headers(secret: str, message_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    signature = Webhook(secret).sign(message_id, sent_at, body)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
