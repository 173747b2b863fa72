"""Every query on orders; what an actor may read: a customer their own orders, an admin every
one."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import Actor, Order
from fitcoach.models.enums import Role

OPEN_STATUSES = ("pending", "requires_action")


class OrderRepository:
    def readable_by(self, actor: Actor) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        return Order.user_id == actor.id

    def add(self, session: AsyncSession, order: Order) -> None:
        session.add(order)

    async def open_order(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        product_id: uuid.UUID | None,
        session_id: uuid.UUID | None,
    ) -> Order | None:
        """The customer's payable checkout order for the product, or for the session's place
        (never an order paying a subscription change, made with the subscription's id)."""
        item = (
            Order.product_id == product_id
            if product_id is not None
            else Order.session_id == session_id
        )
        result = await session.execute(
            select(Order).where(
                Order.user_id == user_id,
                item,
                Order.status.in_(OPEN_STATUSES),
                Order.subscription_id.is_(None),
            )
        )
        return result.scalar_one_or_none()

    async def find_readable(
        self, session: AsyncSession, actor: Actor, order_id: uuid.UUID, *, for_update: bool = False
    ) -> Order | None:
        statement = select(Order).where(Order.id == order_id, self.readable_by(actor))
        if for_update:
            statement = statement.with_for_update()
        return (await session.execute(statement)).scalar_one_or_none()

    async def lock(self, session: AsyncSession, order_id: uuid.UUID) -> Order | None:
        """The order, re-read and held until commit, whoever asks (work no actor requested)."""
        statement = (
            select(Order)
            .where(Order.id == order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await session.execute(statement)).scalar_one_or_none()

    async def of_intent(
        self, session: AsyncSession, intent_id: str, *, for_update: bool = False
    ) -> Order | None:
        statement = select(Order).where(Order.intent_id == intent_id)
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return (await session.execute(statement)).scalar_one_or_none()

    async def page_readable(
        self, session: AsyncSession, actor: Actor, page: PageRequest
    ) -> tuple[list[Order], int]:
        statement = (
            select(Order).where(self.readable_by(actor)).order_by(Order.created_at.desc(), Order.id)
        )
        return await fetch_page(session, statement, page)


order_repository = OrderRepository()
