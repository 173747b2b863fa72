"""The queries of wearables: deliveries seen, connections by the provider's user id, metrics
stored once each."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import WearableConnection, WearableDelivery, WearableMetric


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


class WearablesRepository:
    async def record_delivery(self, session: AsyncSession, provider: str, delivery_id: str) -> bool:
        """Whether this delivery is new (a concurrent twin waits, then finds it taken)."""
        statement = (
            _insert(session, WearableDelivery)
            .values(provider=provider, delivery_id=delivery_id)
            .on_conflict_do_nothing()
            .returning(WearableDelivery.delivery_id)
        )
        return (await session.execute(statement)).first() is not None

    async def connections(
        self, session: AsyncSession, provider: str, external_user_ids: Iterable[str]
    ) -> dict[str, WearableConnection]:
        result = await session.execute(
            select(WearableConnection).where(
                WearableConnection.provider == provider,
                WearableConnection.external_user_id.in_(set(external_user_ids)),
            )
        )
        return {connection.external_user_id: connection for connection in result.scalars()}

    async def connection(
        self, session: AsyncSession, connection_id: uuid.UUID
    ) -> WearableConnection | None:
        return await session.get(WearableConnection, connection_id)

    async def connection_of(
        self, session: AsyncSession, customer_id: uuid.UUID, provider: str
    ) -> WearableConnection | None:
        result = await session.execute(
            select(WearableConnection).where(
                WearableConnection.customer_id == customer_id,
                WearableConnection.provider == provider,
            )
        )
        return result.scalar_one_or_none()

    async def connections_of(
        self, session: AsyncSession, customer_id: uuid.UUID
    ) -> list[WearableConnection]:
        result = await session.execute(
            select(WearableConnection)
            .where(WearableConnection.customer_id == customer_id)
            .order_by(WearableConnection.provider)
        )
        return list(result.scalars())

    async def add_metrics(
        self, session: AsyncSession, rows: list[dict[str, Any]]
    ) -> set[tuple[str, str]]:
        """Insert the samples not stored yet; the (kind, source id) of those inserted."""
        if not rows:
            return set()
        # Executed as many rows (not one multi-row VALUES), so the timestamp columns' clock
        # defaults apply to each row.
        statement = (
            _insert(session, WearableMetric)
            .on_conflict_do_nothing()
            .returning(WearableMetric.kind, WearableMetric.source_id)
        )
        result = await session.execute(statement, rows)
        return {(kind, source_id) for kind, source_id in result.all()}


wearables_repository = WearablesRepository()
