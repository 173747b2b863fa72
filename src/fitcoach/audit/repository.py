"""Every query on the audit trail. Entries are only ever inserted and read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models.audit import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor_id: uuid.UUID | None = None
    resource_type: str | None = None
    action: str | None = None
    occurred_from: datetime | None = None
    occurred_before: datetime | None = None


@dataclass(frozen=True)
class AuditPosition:
    """Where the previous page ended: the keyset cursor."""

    occurred_at: datetime
    id: uuid.UUID


class AuditRepository:
    def add(self, session: AsyncSession, entry: AuditEntry) -> None:
        session.add(entry)

    async def page(
        self, session: AsyncSession, where: AuditFilter, after: AuditPosition | None, limit: int
    ) -> list[AuditEntry]:
        """Newest first. Seeking past the cursor, instead of OFFSET, makes the millionth page cost
        what the first does."""
        statement = select(AuditEntry)
        if where.actor_id is not None:
            statement = statement.where(AuditEntry.actor_id == where.actor_id)
        if where.resource_type is not None:
            statement = statement.where(AuditEntry.resource_type == where.resource_type)
        if where.action is not None:
            statement = statement.where(AuditEntry.action == where.action)
        if where.occurred_from is not None:
            statement = statement.where(AuditEntry.occurred_at >= where.occurred_from)
        if where.occurred_before is not None:
            statement = statement.where(AuditEntry.occurred_at < where.occurred_before)
        if after is not None:
            statement = statement.where(
                tuple_(AuditEntry.occurred_at, AuditEntry.id) < tuple_(after.occurred_at, after.id)
            )
        statement = statement.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc()).limit(
            limit
        )
        return list((await session.execute(statement)).scalars())


audit_repository = AuditRepository()
