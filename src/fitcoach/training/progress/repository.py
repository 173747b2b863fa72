"""Queries on progress entries; every one names its customer, whom the service has checked the
caller may see."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import ProgressEntry


class ProgressRepository:
    def add(self, session: AsyncSession, entry: ProgressEntry) -> None:
        session.add(entry)

    async def page(
        self, session: AsyncSession, customer_id: uuid.UUID, kind: str | None, page: PageRequest
    ) -> tuple[list[ProgressEntry], int]:
        statement: Select[ProgressEntry] = select(ProgressEntry).where(
            ProgressEntry.customer_id == customer_id
        )
        if kind is not None:
            statement = statement.where(ProgressEntry.kind == kind)
        statement = statement.order_by(ProgressEntry.measured_at.desc(), ProgressEntry.id)
        return await fetch_page(session, statement, page)


progress_repository = ProgressRepository()
