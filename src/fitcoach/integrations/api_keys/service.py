"""API key rules: an admin issues a key (its secret shown once, stored as a keyed hash),
rotates it (the replaced secret keeps working for an overlap window) and revokes it; each
change is audited, never with the secret."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access.api_keys import ApiScope, issue_secret
from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.config import Settings
from fitcoach.http.pagination import PageRequest
from fitcoach.integrations.api_keys.exceptions import ApiKeyNotFound, ApiKeyRevoked
from fitcoach.integrations.api_keys.repository import api_keys_repository
from fitcoach.models import Actor, ApiKey


@dataclass(frozen=True)
class ApiKeyDraft:
    name: str
    rate_limit: int
    scopes: tuple[ApiScope, ...]


@dataclass(frozen=True)
class IssuedApiKey:
    """A key as stored, and the key itself: the one moment it is known in the clear."""

    record: ApiKey
    key: str


@dataclass(frozen=True)
class ListedApiKey:
    record: ApiKey
    created_by_name: str | None


class ApiKeysService:
    async def create(
        self, session: AsyncSession, admin: Actor, draft: ApiKeyDraft, settings: Settings
    ) -> IssuedApiKey:
        issued = issue_secret(settings)
        record = ApiKey(
            id=uuid.uuid4(),
            name=draft.name,
            prefix=issued.prefix,
            secret_hash=issued.secret_hash,
            scopes=[scope.value for scope in draft.scopes],
            rate_limit=draft.rate_limit,
            created_by_id=admin.id,
        )
        session.add(record)
        await session.flush()
        self._audit(session, "api_key.created", record, record.created_at)
        return IssuedApiKey(record, issued.key)

    async def page(
        self, session: AsyncSession, page: PageRequest
    ) -> tuple[list[ListedApiKey], int]:
        rows, total = await api_keys_repository.page(session, page)
        return [ListedApiKey(key, name) for key, name in rows], total

    async def rotate(
        self,
        session: AsyncSession,
        key_id: uuid.UUID,
        overlap: timedelta,
        settings: Settings,
        now: datetime,
    ) -> IssuedApiKey:
        """A new secret under the same prefix (same key, limits and history); the one it
        replaces is accepted until `now + overlap`. A secret replaced earlier stops at once."""
        record = await self._live(session, key_id)
        issued = issue_secret(settings, record.prefix)
        record.previous_secret_hash = record.secret_hash if overlap else None
        record.previous_valid_until = now + overlap if overlap else None
        record.secret_hash = issued.secret_hash
        record.rotated_at = now
        await session.flush()
        self._audit(session, "api_key.rotated", record, now)
        return IssuedApiKey(record, issued.key)

    async def revoke(self, session: AsyncSession, key_id: uuid.UUID, now: datetime) -> ApiKey:
        """Refused from the next request on, whichever of its secrets it presents."""
        record = await self._live(session, key_id)
        record.revoked_at = now
        record.previous_secret_hash = None
        record.previous_valid_until = None
        await session.flush()
        self._audit(session, "api_key.revoked", record, now)
        return record

    async def _live(self, session: AsyncSession, key_id: uuid.UUID) -> ApiKey:
        record = await api_keys_repository.get_for_update(session, key_id)
        if record is None:
            raise ApiKeyNotFound()
        if record.revoked_at is not None:
            raise ApiKeyRevoked()
        return record

    def _audit(self, session: AsyncSession, action: str, record: ApiKey, now: datetime) -> None:
        audit_service.record(
            session,
            AuditEvent(
                action=action,
                resource_type="api_key",
                resource_id=record.id,
                details={
                    "name": record.name,
                    "prefix": record.prefix,
                    "scopes": list(record.scopes),
                    "rateLimit": record.rate_limit,
                    "previousValidUntil": (
                        record.previous_valid_until.isoformat()
                        if record.previous_valid_until
                        else None
                    ),
                },
            ),
            now,
        )


api_keys_service = ApiKeysService()
