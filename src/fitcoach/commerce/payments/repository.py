"""Every query on payments and saved payment methods."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import Payment, PaymentCustomer, PaymentMethod


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class PaymentRepository:
    def add(self, session: AsyncSession, payment: Payment) -> None:
        session.add(payment)

    async def of_order(self, session: AsyncSession, order_id: uuid.UUID) -> Payment | None:
        result = await session.execute(select(Payment).where(Payment.order_id == order_id))
        return result.scalar_one_or_none()

    async def of_charge(self, session: AsyncSession, charge_id: str) -> Payment | None:
        result = await session.execute(select(Payment).where(Payment.charge_id == charge_id))
        return result.scalar_one_or_none()

    async def customer_of(
        self, session: AsyncSession, user_id: uuid.UUID, provider: str
    ) -> str | None:
        return await session.scalar(
            select(PaymentCustomer.reference).where(
                PaymentCustomer.user_id == user_id, PaymentCustomer.provider == provider
            )
        )

    async def keep_customer(
        self, session: AsyncSession, user_id: uuid.UUID, provider: str, reference: str
    ) -> None:
        await session.execute(
            _insert(session)(PaymentCustomer)
            .values(id=uuid.uuid4(), user_id=user_id, provider=provider, reference=reference)
            .on_conflict_do_nothing(
                index_elements=[PaymentCustomer.user_id, PaymentCustomer.provider]
            )
        )

    async def save_method(self, session: AsyncSession, method: PaymentMethod) -> None:
        """Keep the method unless the customer already saved it."""
        await session.execute(
            _insert(session)(PaymentMethod)
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
    ) -> tuple[str, str] | None:
        """The removed method's provider and reference, if it was the user's."""
        result = await session.execute(
            delete(PaymentMethod)
            .where(PaymentMethod.id == method_id, PaymentMethod.user_id == user_id)
            .returning(PaymentMethod.provider, PaymentMethod.reference)
        )
        row = result.one_or_none()
        return (row.provider, row.reference) if row is not None else None


payment_repository = PaymentRepository()
