"""Outgoing webhook rules: admins (or keys with `webhooks:manage`) subscribe endpoints to event
types, the signing secret shown once; each matching event becomes a delivery that the workers
attempt, retry with backoff and jitter, then mark failed; a finished delivery can be sent
again. Every change to an endpoint is audited, never with its secret."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.config import Environment, Settings
from fitcoach.core.crypto import seal, unseal
from fitcoach.http.pagination import PageRequest
from fitcoach.integrations.webhooks.exceptions import (
    DeliveryInProgress,
    UnknownWebhookEventType,
    WebhookDeliveryNotFound,
    WebhookEndpointNotFound,
    WebhookUrlRefused,
)
from fitcoach.integrations.webhooks.payloads import new_signing_secret
from fitcoach.integrations.webhooks.repository import webhooks_repository
from fitcoach.integrations.webhooks.sender import AttemptOutcome, SignedMessage, post_signed
from fitcoach.models import WebhookDelivery, WebhookEndpoint
from fitcoach.worker.events import event_types
from fitcoach.worker.jobs import JobContext, enqueue_job, job
from fitcoach.worker.store import RetryPolicy

DELIVER_JOB = "webhooks.deliver"
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
SUBSCRIPTION = "subscription"
_SEAL_PURPOSE = "webhook-secret"
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass(frozen=True)
class EndpointDraft:
    url: str
    description: str | None
    event_types: tuple[str, ...]
    enabled: bool = True


@dataclass(frozen=True)
class EndpointChanges:
    given: frozenset[str]
    url: str | None = None
    description: str | None = None
    event_types: tuple[str, ...] = ()
    enabled: bool | None = None


@dataclass(frozen=True)
class EndpointView:
    record: WebhookEndpoint
    event_types: list[str]


@dataclass(frozen=True)
class CreatedEndpoint:
    """An endpoint as stored, and its signing secret: the one moment it is shown."""

    view: EndpointView
    secret: str


@dataclass(frozen=True)
class QueuedDelivery:
    """A message to one endpoint: `source` keeps a subscription's delivery of an event apart
    from an automation's, each made once."""

    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    body: dict[str, Any]
    source: str = SUBSCRIPTION


def check_url(url: str, settings: Settings) -> None:
    """https anywhere public; plain http only to this machine, and never in production, where
    an address on this machine or a private network is refused whatever the scheme."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    production = settings.env is Environment.production
    if production and _private_host(host):
        raise WebhookUrlRefused("The endpoint URL must not name a private or loopback address")
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in _LOOPBACK_NAMES and not production:
        return
    raise WebhookUrlRefused()


def _private_host(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def _check_event_types(names: Collection[str]) -> None:
    known = event_types()
    for name in names:
        if name not in known:
            raise UnknownWebhookEventType(
                f"Unknown event type {name!r}: see GET /api/v1/automations/catalog"
            )


class WebhooksService:
    async def create(
        self, session: AsyncSession, draft: EndpointDraft, settings: Settings, now: datetime
    ) -> CreatedEndpoint:
        check_url(draft.url, settings)
        _check_event_types(draft.event_types)
        secret = new_signing_secret()
        record = WebhookEndpoint(
            id=uuid.uuid4(),
            url=draft.url,
            description=draft.description,
            enabled=draft.enabled,
            secret_sealed=seal(settings.signing_secret, _SEAL_PURPOSE, secret),
        )
        session.add(record)
        await session.flush()
        await webhooks_repository.replace_event_types(session, record.id, draft.event_types)
        self._audit(session, "webhook_endpoint.created", record, now, list(draft.event_types))
        return CreatedEndpoint(EndpointView(record, sorted(draft.event_types)), secret)

    async def page(
        self, session: AsyncSession, page: PageRequest
    ) -> tuple[list[EndpointView], int]:
        records, total = await webhooks_repository.endpoints_page(session, page)
        types = await webhooks_repository.event_types_of(session, [item.id for item in records])
        return [EndpointView(item, types[item.id]) for item in records], total

    async def get(self, session: AsyncSession, endpoint_id: uuid.UUID) -> EndpointView:
        record = await self._endpoint(session, endpoint_id)
        types = await webhooks_repository.event_types_of(session, [record.id])
        return EndpointView(record, types[record.id])

    async def exists(self, session: AsyncSession, endpoint_id: uuid.UUID) -> bool:
        return await webhooks_repository.endpoint(session, endpoint_id) is not None

    async def update(
        self,
        session: AsyncSession,
        endpoint_id: uuid.UUID,
        changes: EndpointChanges,
        settings: Settings,
        now: datetime,
    ) -> EndpointView:
        record = await self._endpoint(session, endpoint_id, for_update=True)
        if "url" in changes.given and changes.url is not None:
            check_url(changes.url, settings)
            record.url = changes.url
        if "description" in changes.given:
            record.description = changes.description
        if "enabled" in changes.given and changes.enabled is not None:
            record.enabled = changes.enabled
        if "event_types" in changes.given:
            _check_event_types(changes.event_types)
            await webhooks_repository.replace_event_types(session, record.id, changes.event_types)
        record.updated_at = now
        await session.flush()
        view = await self.get(session, endpoint_id)
        self._audit(session, "webhook_endpoint.updated", record, now, view.event_types)
        return view

    async def delete(self, session: AsyncSession, endpoint_id: uuid.UUID, now: datetime) -> None:
        """The endpoint, its subscriptions and its delivery log go; a queued attempt finds
        nothing and does nothing."""
        record = await self._endpoint(session, endpoint_id, for_update=True)
        self._audit(session, "webhook_endpoint.deleted", record, now, None)
        await session.delete(record)
        await session.flush()

    async def deliveries(
        self, session: AsyncSession, endpoint_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[WebhookDelivery], int]:
        await self._endpoint(session, endpoint_id)
        return await webhooks_repository.deliveries_page(session, endpoint_id, page)

    async def queue(self, session: AsyncSession, queued: QueuedDelivery, now: datetime) -> bool:
        """Make the delivery and ask the workers for its first attempt; False when this
        endpoint already has it (a redelivered event)."""
        if await webhooks_repository.has_delivery(
            session, queued.endpoint_id, queued.event_id, queued.source
        ):
            return False
        delivery = WebhookDelivery(
            id=uuid.uuid4(),
            endpoint_id=queued.endpoint_id,
            event_id=queued.event_id,
            event_type=queued.event_type,
            source=queued.source,
            payload=queued.body,
            status=PENDING,
            attempts=0,
            series=1,
            next_attempt_at=now,
        )
        session.add(delivery)
        await session.flush()
        _ask_for_attempt(session, delivery, None)
        return True

    async def redeliver(
        self, session: AsyncSession, endpoint_id: uuid.UUID, delivery_id: uuid.UUID, now: datetime
    ) -> WebhookDelivery:
        """Send a finished delivery again, with the same `webhook-id` (the receiver may already
        have it) and a fresh series of attempts."""
        await self._endpoint(session, endpoint_id)
        delivery = await webhooks_repository.delivery(session, delivery_id, for_update=True)
        if delivery is None or delivery.endpoint_id != endpoint_id:
            raise WebhookDeliveryNotFound()
        if delivery.status == PENDING:
            raise DeliveryInProgress()
        delivery.status = PENDING
        delivery.series += 1
        delivery.attempts = 0
        delivery.next_attempt_at = now
        await session.flush()
        _ask_for_attempt(session, delivery, None)
        return delivery

    async def attempt(
        self,
        session: AsyncSession,
        delivery_id: uuid.UUID,
        series: int,
        settings: Settings,
        now: datetime,
    ) -> None:
        """One attempt of the workers (the job of `DELIVER_JOB`): send, log the outcome, and
        ask for the next attempt after the backoff or mark the delivery failed."""
        delivery = await webhooks_repository.delivery(session, delivery_id)
        if delivery is None or delivery.status != PENDING or delivery.series != series:
            return
        endpoint = await webhooks_repository.endpoint(session, delivery.endpoint_id)
        if endpoint is None:
            return
        if endpoint.enabled:
            secret = unseal(settings.signing_secret, _SEAL_PURPOSE, endpoint.secret_sealed)
            message = SignedMessage(endpoint.url, secret, str(delivery.id), delivery.payload)
            outcome = await post_signed(message, settings.webhook_timeout_seconds)
        else:
            outcome = AttemptOutcome(None, 0, "the endpoint is disabled")
        # Read again, locked: a redelivery while this attempt was in flight makes it moot.
        delivery = await webhooks_repository.delivery(session, delivery_id, for_update=True)
        if delivery is None or delivery.status != PENDING or delivery.series != series:
            return
        _log_attempt(session, delivery, outcome, settings, now)

    async def _endpoint(
        self, session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
    ) -> WebhookEndpoint:
        record = await webhooks_repository.endpoint(session, endpoint_id, for_update=for_update)
        if record is None:
            raise WebhookEndpointNotFound()
        return record

    def _audit(
        self,
        session: AsyncSession,
        action: str,
        record: WebhookEndpoint,
        now: datetime,
        types: list[str] | None,
    ) -> None:
        details: dict[str, Any] = {
            "url": record.url,
            "enabled": record.enabled,
            "eventTypes": types,
        }
        audit_service.record(
            session,
            AuditEvent(
                action=action,
                resource_type="webhook_endpoint",
                resource_id=record.id,
                details=details,
            ),
            now,
        )


def _ask_for_attempt(
    session: AsyncSession, delivery: WebhookDelivery, due_at: datetime | None
) -> None:
    enqueue_job(
        session,
        DELIVER_JOB,
        {"delivery_id": str(delivery.id), "series": delivery.series},
        due_at=due_at,
        dedupe_key=f"webhook:{delivery.id}:{delivery.series}:{delivery.attempts}",
    )


def _log_attempt(
    session: AsyncSession,
    delivery: WebhookDelivery,
    outcome: AttemptOutcome,
    settings: Settings,
    now: datetime,
) -> None:
    delivery.attempts += 1
    delivery.response_code = outcome.response_code
    delivery.duration_ms = outcome.duration_ms
    delivery.last_error = outcome.error
    if outcome.succeeded:
        delivery.status = SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.webhook_max_attempts:
        delivery.status = FAILED
        delivery.next_attempt_at = None
    else:
        policy = RetryPolicy(
            settings.webhook_retry_base_seconds, settings.webhook_retry_max_seconds
        )
        delivery.next_attempt_at = now + policy.delay(delivery.attempts)
        _ask_for_attempt(session, delivery, delivery.next_attempt_at)


webhooks_service = WebhooksService()


@job(DELIVER_JOB, max_attempts=3)
async def deliver_webhook(ctx: JobContext, delivery_id: str, series: int) -> None:
    """One attempt; its failures are logged and retried by the delivery itself (a job per
    attempt), so this job fails only when the database does."""
    settings: Settings = ctx.state.settings
    await webhooks_service.attempt(ctx.session, uuid.UUID(delivery_id), series, settings, ctx.now)
