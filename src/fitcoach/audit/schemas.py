from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from fitcoach.audit.exceptions import InvalidDateRange
from fitcoach.http.envelope import ApiModel
from fitcoach.models.audit import AuditEntry


class ActorOut(ApiModel):
    type: str
    id: uuid.UUID | None
    roles: list[str]


class AuditEntryOut(ApiModel):
    id: uuid.UUID
    occurred_at: datetime
    actor: ActorOut
    action: str
    resource_type: str
    resource_id: str | None
    client_ip: str | None
    request_id: str | None
    changes: dict[str, Any] | None
    details: dict[str, Any] | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            occurred_at=entry.occurred_at,
            actor=ActorOut(
                type=entry.actor_type,
                id=entry.actor_id,
                roles=entry.actor_roles.split(",") if entry.actor_roles else [],
            ),
            action=entry.action,
            resource_type=entry.resource_type,
            resource_id=entry.resource_id,
            client_ip=entry.client_ip,
            request_id=entry.request_id,
            changes=entry.changes,
            details=entry.details,
        )


class AuditPageOut(ApiModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


def _moment(text: str) -> datetime:
    """A date means its first instant (UTC); a time without a zone is read as UTC."""
    try:
        if "T" not in text and len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidDateRange() from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_date_range(value: str | None) -> tuple[datetime | None, datetime | None]:
    """`FROM/TO` (ISO-8601 interval notation), half-open [FROM, TO); either side may be empty."""
    if value is None:
        return None, None
    start_text, separator, end_text = value.partition("/")
    if not separator or not (start_text or end_text):
        raise InvalidDateRange()
    start = _moment(start_text) if start_text else None
    end = _moment(end_text) if end_text else None
    if start and end and start >= end:
        raise InvalidDateRange()
    return start, end
