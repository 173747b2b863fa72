"""The queries of outgoing webhooks: endpoints with their event types, the endpoints an event
type reaches, and each endpoint's delivery log."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest
from fitcoach.models import WebhookDelivery, WebhookEndpoint, WebhookSubscription


class WebhooksRepository:
    async def endpoints_page(
        self, session: AsyncSession, page: PageRequest
    ) -> tuple[list[WebhookEndpoint], int]:
        total = (
            await session.execute(select(func.count()).select_from(WebhookEndpoint))
        ).scalar_one()
        rows = await session.scalars(
            select(WebhookEndpoint)
            .order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
        return list(rows), total

    async def endpoint(
        self, session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
    ) -> WebhookEndpoint | None:
        statement = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        if for_update:
            statement = statement.with_for_update()
        return (await session.execute(statement)).scalar_one_or_none()

    async def event_types_of(
        self, session: AsyncSession, endpoint_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[str]]:
        """Each endpoint's event types, sorted, in one query for a whole page."""
        found: dict[uuid.UUID, list[str]] = {endpoint_id: [] for endpoint_id in endpoint_ids}
        if not found:
            return found
        rows = await session.execute(
            select(WebhookSubscription.endpoint_id, WebhookSubscription.event_type)
            .where(WebhookSubscription.endpoint_id.in_(list(found)))
            .order_by(WebhookSubscription.event_type)
        )
        for endpoint_id, event_type in rows.all():
            found[endpoint_id].append(event_type)
        return found

    async def replace_event_types(
        self, session: AsyncSession, endpoint_id: uuid.UUID, event_types: Collection[str]
    ) -> None:
        await session.execute(
            delete(WebhookSubscription).where(WebhookSubscription.endpoint_id == endpoint_id)
        )
        session.add_all(
            WebhookSubscription(endpoint_id=endpoint_id, event_type=event_type)
            for event_type in event_types
        )

    async def subscribed_types(
        self, session: AsyncSession, event_types: Collection[str]
    ) -> set[str]:
        """Which of `event_types` some enabled endpoint subscribes to."""
        rows = await session.scalars(
            select(WebhookSubscription.event_type)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookSubscription.endpoint_id)
            .where(
                WebhookSubscription.event_type.in_(list(event_types)),
                WebhookEndpoint.enabled.is_(True),
            )
            .distinct()
        )
        return set(rows)

    async def endpoints_for(self, session: AsyncSession, event_type: str) -> list[WebhookEndpoint]:
        rows = await session.scalars(
            select(WebhookEndpoint)
            .join(WebhookSubscription, WebhookSubscription.endpoint_id == WebhookEndpoint.id)
            .where(WebhookSubscription.event_type == event_type, WebhookEndpoint.enabled.is_(True))
        )
        return list(rows)

    async def deliveries_page(
        self, session: AsyncSession, endpoint_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[WebhookDelivery], int]:
        where = WebhookDelivery.endpoint_id == endpoint_id
        total = (
            await session.execute(select(func.count()).select_from(WebhookDelivery).where(where))
        ).scalar_one()
        rows = await session.scalars(
            select(WebhookDelivery)
            .where(where)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
        return list(rows), total

    async def delivery(
        self, session: AsyncSession, delivery_id: uuid.UUID, *, for_update: bool = False
    ) -> WebhookDelivery | None:
        statement = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
        if for_update:
            statement = statement.with_for_update()
        return (await session.execute(statement)).scalar_one_or_none()

    async def has_delivery(
        self, session: AsyncSession, endpoint_id: uuid.UUID, event_id: uuid.UUID, source: str
    ) -> bool:
        found = await session.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == endpoint_id,
                WebhookDelivery.event_id == event_id,
                WebhookDelivery.source == source,
            )
        )
        return found is not None


webhooks_repository = WebhooksRepository()
