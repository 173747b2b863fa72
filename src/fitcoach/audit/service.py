"""Writing and reading the audit trail."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.exceptions import InvalidCursor
from fitcoach.audit.repository import AuditFilter, AuditPosition, audit_repository
from fitcoach.core.errors import DomainError
from fitcoach.http.request_context import current_request_context
from fitcoach.models import Actor
from fitcoach.models.audit import AuditEntry

# Field names that never enter the trail, whatever a caller passes: only the fact of a change.
SECRET_FIELDS = frozenset(
    {
        "password",
        "password_hash",
        "new_password",
        "current_password",
        "otp",
        "code",
        "code_hash",
        "token",
        "token_hash",
        "refresh_token",
        "access_token",
        "secret",
        "recovery_codes",
    }
)
SECRET_MARK = "[changed]"


def _scrub(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: (SECRET_MARK if key in SECRET_FIELDS else value) for key, value in values.items()}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """{"field": {"before": x, "after": y}} for the fields whose values differ."""
    changed = {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
    return {
        key: ({"before": SECRET_MARK, "after": SECRET_MARK} if key in SECRET_FIELDS else value)
        for key, value in changed.items()
    }


def secret_changed(*fields: str) -> dict[str, Any]:
    """The change record of secrets: that they changed, never from what or to what."""
    return {field: {"before": SECRET_MARK, "after": SECRET_MARK} for field in fields}


@dataclass(frozen=True)
class AuditEvent:
    """What happened to which resource, as a service adds it to the trail. The actor defaults
    to the authenticated caller; sign-in events name the account they concern instead (`actor`,
    or only its id when the account is not loaded). Secret fields in `details` are scrubbed."""

    action: str
    resource_type: str
    resource_id: object | None = None
    changes: Mapping[str, Any] | None = None
    details: Mapping[str, Any] | None = None
    actor: Actor | None = None
    actor_id: uuid.UUID | None = None


class AuditService:
    def record(self, session: AsyncSession, event: AuditEvent, now: datetime) -> None:
        """Add an entry to the current transaction."""
        context = current_request_context()
        if event.actor is not None:
            acting_id: uuid.UUID | None = event.actor.id
            roles: tuple[str, ...] = tuple(event.actor.roles)
        else:
            acting_id = event.actor_id or (context.actor_id if context else None)
            roles = context.actor_roles if context and acting_id == context.actor_id else ()
        resource_id = event.resource_id
        audit_repository.add(
            session,
            AuditEntry(
                occurred_at=now,
                actor_type="user" if acting_id else ("anonymous" if context else "system"),
                actor_id=acting_id,
                actor_roles=",".join(sorted(roles)) or None,
                action=event.action,
                resource_type=event.resource_type,
                resource_id=str(resource_id) if resource_id is not None else None,
                client_ip=context.client_ip if context else None,
                request_id=context.request_id if context else None,
                changes=dict(event.changes) if event.changes else None,
                details=_scrub(event.details) if event.details else None,
            ),
        )
        if context is not None:
            context.audited = True

    def record_failure(
        self, session: AsyncSession, error: DomainError, event: AuditEvent, now: datetime
    ) -> None:
        """Record a refused attempt, with the error's message as its reason. The request fails,
        yet its entry must be kept, so the error is marked to commit the transaction (which
        holds nothing else: refusals write nothing)."""
        details = {**(event.details or {}), "reason": error.message}
        self.record(session, replace(event, details=details), now)
        error.commit_on_raise = True

    def record_nothing_changed(self) -> None:
        """A write request that turned out to change nothing (blocking a blocked user): there is
        nothing to record, so its generic fallback entry is not written either."""
        context = current_request_context()
        if context is not None:
            context.audited = True

    def ensure_recorded(self, session: AsyncSession, method: str, path: str, now: datetime) -> None:
        """The fallback entry of a state-changing request that recorded nothing itself."""
        context = current_request_context()
        if context is None or context.audited:
            return
        self.record(
            session,
            AuditEvent(action=f"request.{method.lower()}", resource_type="route", resource_id=path),
            now,
        )

    async def page(
        self, session: AsyncSession, where: AuditFilter, cursor: str | None, limit: int
    ) -> tuple[list[AuditEntry], str | None]:
        entries = await audit_repository.page(session, where, decode_cursor(cursor), limit + 1)
        has_more = len(entries) > limit
        entries = entries[:limit]
        next_cursor = encode_cursor(entries[-1]) if has_more else None
        return entries, next_cursor


def encode_cursor(entry: AuditEntry) -> str:
    raw = f"{entry.occurred_at.isoformat()}|{entry.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> AuditPosition | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        occurred_at, _, entry_id = raw.partition("|")
        position = AuditPosition(datetime.fromisoformat(occurred_at), uuid.UUID(entry_id))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor() from exc
    if position.occurred_at.tzinfo is None:
        raise InvalidCursor()
    return position


audit_service = AuditService()
