"""Every query on payments and saved payment methods."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import Payment, PaymentMethod


class PaymentRepository:
    def add(self, session: AsyncSession, payment: Payment) -> None:
        session.add(payment)

    async def of_order(self, session: AsyncSession, order_id: uuid.UUID) -> Payment | None:
        result = await session.execute(select(Payment).where(Payment.order_id == order_id))
        return result.scalar_one_or_none()

    async def save_method(self, session: AsyncSession, method: PaymentMethod) -> None:
        """Keep the method unless the customer already saved it."""
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(PaymentMethod)
            .values(
                id=uuid.uuid4(),
                user_id=method.user_id,
                provider=method.provider,
                reference=method.reference,
                brand=method.brand,
                last4=method.last4,
            )
            .on_conflict_do_nothing(
                index_elements=[
                    PaymentMethod.user_id,
                    PaymentMethod.provider,
                    PaymentMethod.reference,
                ]
            )
        )

    async def methods_of(
        self, session: AsyncSession, user_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[PaymentMethod], int]:
        statement = (
            select(PaymentMethod)
            .where(PaymentMethod.user_id == user_id)
            .order_by(PaymentMethod.created_at.desc(), PaymentMethod.id)
        )
        return await fetch_page(session, statement, page)

    async def remove_method(
        self, session: AsyncSession, user_id: uuid.UUID, method_id: uuid.UUID
    ) -> bool:
        result = await session.execute(
            delete(PaymentMethod)
            .where(PaymentMethod.id == method_id, PaymentMethod.user_id == user_id)
            .returning(PaymentMethod.id)
        )
        return result.scalar_one_or_none() is not None


payment_repository = PaymentRepository()
