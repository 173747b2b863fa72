"""The providers' webhook events received, by id."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import PaymentWebhookEvent


class WebhookEventRepository:
    async def first_receipt(
        self, session: AsyncSession, provider: str, event: tuple[str, str], now: datetime
    ) -> bool:
        """Note the event (its id and type); False if it was already noted: a replay."""
        event_id, event_type = event
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        result = await session.execute(
            insert(PaymentWebhookEvent)
            .values(
                id=uuid.uuid4(),
                provider=provider,
                event_id=event_id,
                type=event_type,
                received_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=[PaymentWebhookEvent.provider, PaymentWebhookEvent.event_id]
            )
            .returning(PaymentWebhookEvent.id)
        )
        return result.scalar_one_or_none() is not None


webhook_event_repository = WebhookEventRepository()
