"""Every query on invoices, their lines and their number counter; what an actor may read: a
customer their own invoices, an admin every one."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import Actor, Invoice, InvoiceCounter
from fitcoach.models.enums import Role


class InvoiceRepository:
    def readable_by(self, actor: Actor) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        return Invoice.user_id == actor.id

    async def next_number(self, session: AsyncSession, series: str) -> int:
        """The series' next number. The UPDATE holds the counter's row until the caller's
        transaction ends: numbers follow one another, and a rollback gives its number back."""
        take = (
            update(InvoiceCounter)
            .where(InvoiceCounter.series == series)
            .values(last_number=InvoiceCounter.last_number + 1)
            .returning(InvoiceCounter.last_number)
        )
        number = (await session.execute(take)).scalar_one_or_none()
        if number is None:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            await session.execute(
                insert(InvoiceCounter)
                .values(series=series, last_number=0)
                .on_conflict_do_nothing(index_elements=[InvoiceCounter.series])
            )
            number = (await session.execute(take)).scalar_one()
        return number

    def add(self, session: AsyncSession, invoice: Invoice) -> None:
        session.add(invoice)

    async def find_readable(
        self, session: AsyncSession, actor: Actor, invoice_id: uuid.UUID
    ) -> Invoice | None:
        result = await session.execute(
            select(Invoice)
            .where(Invoice.id == invoice_id, self.readable_by(actor))
            .options(selectinload(Invoice.lines), selectinload(Invoice.refunds))
        )
        return result.scalar_one_or_none()

    async def of_order(self, session: AsyncSession, order_id: uuid.UUID) -> Invoice:
        result = await session.execute(
            select(Invoice)
            .where(Invoice.order_id == order_id)
            .options(selectinload(Invoice.lines), selectinload(Invoice.refunds))
        )
        return result.scalar_one()

    async def page_readable(
        self, session: AsyncSession, actor: Actor, page: PageRequest
    ) -> tuple[list[Invoice], int]:
        statement = (
            select(Invoice)
            .where(self.readable_by(actor))
            .options(selectinload(Invoice.lines), selectinload(Invoice.refunds))
            .order_by(Invoice.created_at.desc(), Invoice.id)
        )
        return await fetch_page(session, statement, page)


invoice_repository = InvoiceRepository()
