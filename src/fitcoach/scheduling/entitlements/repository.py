"""The ledger's queries. A grant's remainder is its own amount plus its children's; the grant
row is locked (PostgreSQL) while a line draws on it, so two bookings never spend one session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fitcoach.http.pagination import PageRequest
from fitcoach.models import EntitlementEntry

GRANT = "grant"
_GRANT = aliased(EntitlementEntry)


@dataclass(frozen=True)
class GrantRemainder:
    grant: EntitlementEntry
    remaining: int


def _remaining() -> ColumnElement[int]:
    """A grant's remainder: its own amount plus every line drawn on it."""
    child = aliased(EntitlementEntry)
    drawn = (
        select(func.coalesce(func.sum(child.amount), 0))
        .where(child.grant_id == EntitlementEntry.id)
        .scalar_subquery()
    )
    return EntitlementEntry.amount + drawn


class EntitlementRepository:
    def add(self, session: AsyncSession, entry: EntitlementEntry) -> None:
        session.add(entry)

    async def by_source(
        self, session: AsyncSession, customer_id: uuid.UUID, source: str
    ) -> EntitlementEntry | None:
        found: EntitlementEntry | None = await session.scalar(
            select(EntitlementEntry).where(
                EntitlementEntry.customer_id == customer_id, EntitlementEntry.source == source
            )
        )
        return found

    async def grants_of_sources(
        self,
        session: AsyncSession,
        customer_id: uuid.UUID,
        patterns: list[str],
        valid_after: datetime,
    ) -> list[EntitlementEntry]:
        """The customer's grants whose source matches one of the LIKE `patterns` and that are
        still valid after `valid_after`, locked (PostgreSQL) while their windows move."""
        if not patterns:
            return []
        rows = await session.scalars(
            select(EntitlementEntry)
            .where(
                EntitlementEntry.customer_id == customer_id,
                EntitlementEntry.kind == GRANT,
                EntitlementEntry.valid_until > valid_after,
                or_(*(EntitlementEntry.source.like(pattern) for pattern in patterns)),
            )
            .order_by(EntitlementEntry.valid_from)
            .with_for_update()
        )
        return list(rows)

    async def live_grants(
        self, session: AsyncSession, customer_id: uuid.UUID, at: datetime
    ) -> list[GrantRemainder]:
        """The customer's grants valid at `at` with sessions left, soonest expiry first."""
        rows = await session.execute(
            select(EntitlementEntry, _remaining())
            .where(
                EntitlementEntry.customer_id == customer_id,
                EntitlementEntry.kind == GRANT,
                EntitlementEntry.valid_from <= at,
                EntitlementEntry.valid_until > at,
            )
            .order_by(EntitlementEntry.valid_until, EntitlementEntry.created_at)
        )
        return [GrantRemainder(grant, int(left)) for grant, left in rows if left > 0]

    async def lock_grant(self, session: AsyncSession, grant_id: uuid.UUID) -> int:
        """Lock the grant (PostgreSQL; SQLite's writer is single) and read its remainder."""
        await session.execute(
            select(EntitlementEntry.id).where(EntitlementEntry.id == grant_id).with_for_update()
        )
        total = await session.scalar(
            select(func.coalesce(func.sum(EntitlementEntry.amount), 0)).where(
                (EntitlementEntry.id == grant_id) | (EntitlementEntry.grant_id == grant_id)
            )
        )
        return int(total or 0)

    async def expired_with_remainder(
        self, session: AsyncSession, now: datetime, limit: int
    ) -> list[GrantRemainder]:
        remaining = _remaining()
        rows = await session.execute(
            select(EntitlementEntry, remaining)
            .where(
                EntitlementEntry.kind == GRANT,
                EntitlementEntry.valid_until <= now,
                remaining > 0,
            )
            .order_by(EntitlementEntry.valid_until)
            .limit(limit)
        )
        return [GrantRemainder(grant, int(left)) for grant, left in rows]

    async def balance(self, session: AsyncSession, customer_id: uuid.UUID, now: datetime) -> int:
        """Sessions left in the customer's grants that have not expired."""
        total = await session.scalar(
            select(func.coalesce(func.sum(EntitlementEntry.amount), 0))
            .select_from(EntitlementEntry)
            .join(
                _GRANT,
                _GRANT.id == func.coalesce(EntitlementEntry.grant_id, EntitlementEntry.id),
            )
            .where(
                EntitlementEntry.customer_id == customer_id,
                _GRANT.valid_until > now,
            )
        )
        return int(total or 0)

    async def ledger(
        self, session: AsyncSession, customer_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[EntitlementEntry], int]:
        mine = EntitlementEntry.customer_id == customer_id
        total = await session.scalar(select(func.count()).select_from(EntitlementEntry).where(mine))
        rows = await session.scalars(
            select(EntitlementEntry)
            .where(mine)
            .order_by(EntitlementEntry.created_at.desc(), EntitlementEntry.id)
            .offset(page.offset)
            .limit(page.page_size)
        )
        return list(rows), int(total or 0)


entitlement_repository = EntitlementRepository()
