"""/api/v1/integrations/webhooks (admins, or API keys with `webhooks:manage`): subscribe an
endpoint to event types (its signing secret shown once), list, read, change and delete
endpoints, read an endpoint's delivery log, and send a finished delivery again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import DeliveryIdPath, WebhookIdPath
from fitcoach.integrations.webhooks.dependencies import WebhookManager
from fitcoach.integrations.webhooks.schemas import (
    CreatedWebhookEndpointOut,
    WebhookDeliveryOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
)
from fitcoach.integrations.webhooks.service import webhooks_service

router = APIRouter(prefix="/integrations/webhooks", tags=["integrations"])


@router.post(
    "",
    response_model=DataEnvelope[CreatedWebhookEndpointOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 422, 429),
    summary="Subscribe an endpoint to event types (admin or `webhooks:manage` key; the "
    "signing secret is shown only in this answer)",
)
async def create_webhook(
    body: Annotated[WebhookEndpointIn, Body()],
    _caller: WebhookManager,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[CreatedWebhookEndpointOut]:
    endpoint = await webhooks_service.create(session, body.to_draft(), settings, clock.now())
    created.route("get_webhook", webhookId=endpoint.view.record.id)
    return ok(CreatedWebhookEndpointOut.created(endpoint))


@router.get(
    "",
    response_model=DataEnvelope[Page[WebhookEndpointOut]],
    responses=error_responses(401, 403, 422, 429),
    summary="The webhook endpoints, newest first (admin or `webhooks:manage` key; never a secret)",
)
async def list_webhooks(
    _caller: WebhookManager, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[WebhookEndpointOut]]:
    views, total = await webhooks_service.page(session, page)
    return ok(Page[WebhookEndpointOut].of([WebhookEndpointOut.of(v) for v in views], total, page))


@router.get(
    "/{webhookId}",
    response_model=DataEnvelope[WebhookEndpointOut],
    responses=error_responses(401, 403, 404, 422, 429),
    summary="Read a webhook endpoint (admin or `webhooks:manage` key)",
)
async def get_webhook(
    webhook_id: WebhookIdPath, _caller: WebhookManager, session: ReadSession
) -> DataEnvelope[WebhookEndpointOut]:
    return ok(WebhookEndpointOut.of(await webhooks_service.get(session, webhook_id)))


@router.patch(
    "/{webhookId}",
    response_model=DataEnvelope[WebhookEndpointOut],
    responses=error_responses(400, 401, 403, 404, 422, 429),
    summary="Change a webhook endpoint: its URL, description, event types or whether it is "
    "enabled (admin or `webhooks:manage` key)",
)
async def update_webhook(
    webhook_id: WebhookIdPath,
    body: Annotated[WebhookEndpointPatch, Body()],
    _caller: WebhookManager,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[WebhookEndpointOut]:
    view = await webhooks_service.update(
        session, webhook_id, body.to_changes(), settings, clock.now()
    )
    return ok(WebhookEndpointOut.of(view))


@router.delete(
    "/{webhookId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422, 429),
    summary="Delete a webhook endpoint and its delivery log (admin or `webhooks:manage` key)",
)
async def delete_webhook(
    webhook_id: WebhookIdPath, _caller: WebhookManager, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await webhooks_service.delete(session, webhook_id, clock.now())
    return said("Webhook endpoint deleted")


@router.get(
    "/{webhookId}/deliveries",
    response_model=DataEnvelope[Page[WebhookDeliveryOut]],
    responses=error_responses(401, 403, 404, 422, 429),
    summary="An endpoint's delivery log, newest first: status, attempts, the last response "
    "code and duration (admin or `webhooks:manage` key)",
)
async def list_webhook_deliveries(
    webhook_id: WebhookIdPath,
    _caller: WebhookManager,
    session: ReadSession,
    page: PageRequestDep,
) -> DataEnvelope[Page[WebhookDeliveryOut]]:
    deliveries, total = await webhooks_service.deliveries(session, webhook_id, page)
    return ok(
        Page[WebhookDeliveryOut].of([WebhookDeliveryOut.of(d) for d in deliveries], total, page)
    )


@router.post(
    "/{webhookId}/deliveries/{deliveryId}/redeliver",
    response_model=DataEnvelope[WebhookDeliveryOut],
    status_code=202,
    responses=error_responses(401, 403, 404, 409, 422, 429),
    summary="Send a finished delivery again, with the same webhook-id and a fresh series of "
    "attempts (admin or `webhooks:manage` key)",
)
async def redeliver_webhook(
    webhook_id: WebhookIdPath,
    delivery_id: DeliveryIdPath,
    _caller: WebhookManager,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[WebhookDeliveryOut]:
    delivery = await webhooks_service.redeliver(session, webhook_id, delivery_id, clock.now())
    return ok(WebhookDeliveryOut.of(delivery))
