"""Queries on finance exports (admins only, so no per-actor filter)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import FinanceExport


class ExportsRepository:
    def add(self, session: AsyncSession, export: FinanceExport) -> None:
        session.add(export)

    async def get(self, session: AsyncSession, export_id: uuid.UUID) -> FinanceExport | None:
        return await session.get(FinanceExport, export_id)

    async def recent(self, session: AsyncSession, limit: int) -> list[FinanceExport]:
        statement = (
            select(FinanceExport)
            .order_by(FinanceExport.created_at.desc(), FinanceExport.id)
            .limit(limit)
        )
        return list(await session.scalars(statement))

    async def expired(
        self, session: AsyncSession, now: datetime, limit: int
    ) -> list[FinanceExport]:
        statement = (
            select(FinanceExport)
            .where(FinanceExport.status == "ready", FinanceExport.expires_at <= now)
            .order_by(FinanceExport.expires_at)
            .limit(limit)
        )
        return list(await session.scalars(statement))


exports_repository = ExportsRepository()
