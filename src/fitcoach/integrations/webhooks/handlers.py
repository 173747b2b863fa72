"""Every event some enabled endpoint subscribes to becomes a delivery per such endpoint, made
in the workers (a catch-all handler: the relay hands it only the subscribed types)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.integrations.webhooks.payloads import event_body
from fitcoach.integrations.webhooks.repository import webhooks_repository
from fitcoach.integrations.webhooks.service import QueuedDelivery, webhooks_service
from fitcoach.worker.events import DomainEvent
from fitcoach.worker.registry import on_event
from fitcoach.worker.runtime import runtime_of


@on_event(None, name="webhooks.fan_out", selects=webhooks_repository.subscribed_types)
async def fan_out_to_endpoints(session: AsyncSession, event: DomainEvent) -> None:
    endpoints = await webhooks_repository.endpoints_for(session, event.type)
    if not endpoints:
        return
    runtime = runtime_of(session)
    now = runtime.now() if runtime is not None else datetime.now(UTC)
    body = event_body(event)
    for endpoint in endpoints:
        await webhooks_service.queue(
            session, QueuedDelivery(endpoint.id, event.id, event.type, body), now
        )
