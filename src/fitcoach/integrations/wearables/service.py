"""Wearable webhooks: a delivery is verified in its provider's scheme, recorded against
replays, matched to customers through their connections and queued (202); the worker fetches
what a notice names when the provider only notifies, and stores the normalized metrics once
each (a weight also as the customer's body-weight progress entry)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.config import Settings
from fitcoach.integrations.wearables.api import fetch_metrics
from fitcoach.integrations.wearables.connections import connections_service
from fitcoach.integrations.wearables.exceptions import (
    InvalidWebhookSignature,
    UnknownWearableProvider,
)
from fitcoach.integrations.wearables.metrics import Metric
from fitcoach.integrations.wearables.notices import notices
from fitcoach.integrations.wearables.repository import wearables_repository
from fitcoach.integrations.wearables.signatures import (
    SIGNATURE_HEADERS,
    WearableProvider,
    verify,
)
from fitcoach.training.progress.service import EntryDraft, progress_service
from fitcoach.users.service import user_service
from fitcoach.worker.jobs import JobContext, PermanentJobError, enqueue_job, job

INGEST_JOB = "wearables.ingest"
_log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class WebhookCall:
    """A webhook request as received: its headers (`Wearable-Provider` may name the
    provider) and its raw body."""

    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Accepted:
    provider: WearableProvider
    delivery_id: str
    duplicate: bool
    queued: int
    unmatched: int


def _provider_of(call: WebhookCall) -> WearableProvider:
    named = call.headers.get("wearable-provider")
    if named is not None:
        try:
            return WearableProvider(named)
        except ValueError as exc:
            raise UnknownWearableProvider() from exc
    for provider, header in SIGNATURE_HEADERS.items():
        if header in call.headers:
            return provider
    raise InvalidWebhookSignature()


class WearablesService:
    async def accept(
        self, session: AsyncSession, call: WebhookCall, settings: Settings, now: datetime
    ) -> Accepted:
        """Verify, then queue one job per notice whose provider user is connected. A delivery
        seen before (a provider's honest retry of a signed, fresh delivery) is answered alike
        but has no effect."""
        provider = _provider_of(call)
        delivery = verify(provider, call.headers, call.body, settings, now)
        found = notices(provider, call.body)
        if not await wearables_repository.record_delivery(
            session, provider.value, delivery.delivery_id
        ):
            return Accepted(provider, delivery.delivery_id, True, 0, 0)
        connections = await wearables_repository.connections(
            session, provider.value, (notice.external_user_id for notice in found)
        )
        queued = 0
        for index, notice in enumerate(found):
            connection = connections.get(notice.external_user_id)
            if connection is None:
                continue
            enqueue_job(
                session,
                INGEST_JOB,
                {"connection_id": str(connection.id), "content": notice.content},
                dedupe_key=f"wearable:{provider.value}:{delivery.delivery_id}:{index}",
            )
            queued += 1
        if queued < len(found):
            _log.info(
                "wearable_notices_unmatched", provider=provider.value, count=len(found) - queued
            )
        return Accepted(provider, delivery.delivery_id, False, queued, len(found) - queued)

    async def ingest(
        self, ctx: JobContext, connection_id: uuid.UUID, content: dict[str, Any]
    ) -> int:
        """Store what one notice carries or names; how many samples were new."""
        settings: Settings = ctx.state.settings
        session = ctx.session
        connection = await wearables_repository.connection(session, connection_id)
        if connection is None:
            raise PermanentJobError("the connection was removed")
        provider = WearableProvider(connection.provider)
        token = await connections_service.access_token(connection, settings, ctx.now)
        metrics = await fetch_metrics(settings, provider, content, token)
        inserted = await wearables_repository.add_metrics(
            session,
            [_row(connection.customer_id, provider, metric) for metric in metrics],
        )
        new = [metric for metric in metrics if (metric.kind, metric.source_id) in inserted]
        await self._weights_as_progress(session, connection.customer_id, new, ctx.now)
        return len(new)

    async def _weights_as_progress(
        self, session: AsyncSession, customer_id: uuid.UUID, metrics: list[Metric], now: datetime
    ) -> None:
        weights = [metric for metric in metrics if metric.kind == "weight"]
        if not weights:
            return
        customer = await user_service.get(session, customer_id)
        for metric in weights:
            draft = EntryDraft(
                customer_id=None,
                kind="body_weight",
                value=metric.value,
                unit="kg",
                site=None,
                photo_url=None,
                measured_at=metric.started_at,
            )
            await progress_service.record(session, customer, draft, now)


def _row(customer_id: uuid.UUID, provider: WearableProvider, metric: Metric) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "customer_id": customer_id,
        "provider": provider.value,
        "kind": metric.kind,
        "source_id": metric.source_id,
        "value": metric.value,
        "unit": metric.unit,
        "started_at": metric.started_at,
        "ended_at": metric.ended_at,
        "details": metric.details,
    }


wearables_service = WearablesService()


@job(INGEST_JOB, max_attempts=8)
async def ingest_wearable_notice(
    ctx: JobContext, connection_id: str, content: dict[str, Any]
) -> None:
    await wearables_service.ingest(ctx, uuid.UUID(connection_id), content)
