"""Drilldown tokens: a cell's query, its caller and an expiry, signed with a key derived from
the signing secret. Opaque to the client; altered, borrowed (another caller, a role since lost)
or expired tokens are refused."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime

from fitcoach.analytics.cohorts.repository import CohortSpec
from fitcoach.analytics.exceptions import DrilldownTokenExpired, DrilldownTokenInvalid
from fitcoach.core.crypto import derive_key, keyed_hash, same_digest

PURPOSE = "cohort-drilldown"
TOKEN_SECONDS = 15 * 60


@dataclass(frozen=True)
class Drill:
    spec: CohortSpec
    key: str
    period: int
    actor_id: uuid.UUID
    scope: str  # "admin" or "coach": the role the caller saw the table with
    expires: int  # Unix seconds


def _signature(secret: str, payload: str) -> str:
    return keyed_hash(derive_key(secret, PURPOSE), payload)


def issue(secret: str, drill: Drill) -> str:
    fields = {
        **asdict(drill.spec),
        "since": drill.spec.since.isoformat(),
        "today": drill.spec.today.isoformat(),
        "key": drill.key,
        "period": drill.period,
        "actor": str(drill.actor_id),
        "scope": drill.scope,
        "expires": drill.expires,
    }
    payload = base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":")).encode())
    text = payload.decode().rstrip("=")
    return f"{text}.{_signature(secret, text)}"


def read(secret: str, token: str, now: datetime) -> Drill:
    """The token's cell, once its signature holds and it has not expired; whether it is the
    caller's is for the service to check."""
    payload, _, signature = token.partition(".")
    if not signature or not same_digest(signature, _signature(secret, payload)):
        raise DrilldownTokenInvalid()
    try:
        fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        drill = Drill(
            spec=CohortSpec(
                dimension=fields["dimension"],
                metric=fields["metric"],
                interval=fields["interval"],
                since=date.fromisoformat(fields["since"]),
                today=date.fromisoformat(fields["today"]),
                periods=int(fields["periods"]),
                currency=fields["currency"],
            ),
            key=str(fields["key"]),
            period=int(fields["period"]),
            actor_id=uuid.UUID(fields["actor"]),
            scope=fields["scope"],
            expires=int(fields["expires"]),
        )
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        # Signed by us yet unreadable: only a token of an older format could be.
        raise DrilldownTokenInvalid() from exc
    if now.timestamp() >= drill.expires:
        raise DrilldownTokenExpired()
    return drill
