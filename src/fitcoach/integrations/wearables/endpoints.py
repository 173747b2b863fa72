"""POST /api/v1/integrations/wearables/webhook: a provider's signed delivery, verified in its
own scheme, answered 202 once its notices are queued for the workers. And a customer's
connections to providers by OAuth 2: authorize, complete with the code, list, disconnect."""

from __future__ import annotations

from fastapi import APIRouter, Request

from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.integrations.wearables.connections import Callback, connections_service
from fitcoach.integrations.wearables.dependencies import CustomerUser, ProviderPath
from fitcoach.integrations.wearables.schemas import (
    AuthorizationOut,
    CallbackIn,
    ConnectionOut,
    WebhookAcceptedOut,
)
from fitcoach.integrations.wearables.service import WebhookCall, wearables_service
from fitcoach.integrations.wearables.signatures import WearableProvider

router = APIRouter(prefix="/integrations/wearables", tags=["integrations"])

_PARTNER_EXAMPLE = {
    "type": "metrics.recorded",
    "timestamp": "2026-12-07T06:00:00Z",
    "data": {
        "userId": "partner-user-42",
        "samples": [
            {
                "id": "s-1",
                "kind": "steps",
                "value": 8123,
                "unit": "count",
                "start": "2026-12-06T00:00:00Z",
            }
        ],
    },
}
_OURA_EXAMPLE = {
    "event_type": "create",
    "data_type": "daily_activity",
    "object_id": "8f9a5221-639e-4a85-81cb-4065ef23f979",
    "event_time": "2026-12-07T05:55:00+00:00",
    "user_id": "oura-user-1",
}
_OPENAPI = {
    # Declared here rather than as a typed parameter: a header cannot carry null, and an unknown
    # provider is answered with its own error.
    "parameters": [
        {
            "name": "Wearable-Provider",
            "in": "header",
            "required": False,
            "description": "The provider, else recognised by its signature header",
            "schema": {"type": "string", "enum": [provider.value for provider in WearableProvider]},
        }
    ],
    "requestBody": {
        "required": True,
        "description": "The provider's own payload, byte for byte as signed",
        "content": {
            "application/json": {
                "schema": {"type": "object", "examples": [_PARTNER_EXAMPLE, _OURA_EXAMPLE]}
            }
        },
    },
}


@router.post(
    "/webhook",
    status_code=202,
    response_model=DataEnvelope[WebhookAcceptedOut],
    responses=error_responses(400, 401),
    openapi_extra=_OPENAPI,
    summary="A wearable provider's webhook (provider signature; 202 once queued)",
    description=(
        "Signed in the provider's scheme: Fitbit `X-Fitbit-Signature` (HMAC-SHA1 of the body "
        "with the client secret and `&`), Oura `x-oura-signature` with `x-oura-timestamp`, "
        "Whoop `X-WHOOP-Signature` with `X-WHOOP-Signature-Timestamp` (HMAC-SHA256 of the "
        "timestamp and body), partners Standard Webhooks (`webhook-id`, `webhook-timestamp`, "
        "`webhook-signature`). The provider is named in `Wearable-Provider`, else recognised "
        "by its signature header. A bad or missing signature is 401 "
        "`invalid_webhook_signature`; a timestamp outside the tolerance (5 minutes) is 401 "
        "`webhook_replayed`. A delivery received before (same delivery id, or for Fitbit the "
        "same body) is a provider's honest retry: 202 with `duplicate: true` and no effect."
    ),
)
async def receive_wearable_webhook(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[WebhookAcceptedOut]:
    call = WebhookCall(request.headers, await request.body())
    return ok(
        WebhookAcceptedOut.of(await wearables_service.accept(session, call, settings, clock.now()))
    )


@router.post(
    "/connections/{provider}/authorize",
    response_model=DataEnvelope[AuthorizationOut],
    responses=error_responses(400, 401, 403, 422),
    summary="Start connecting a wearable: the provider's authorization page (customer)",
)
async def authorize_wearable(
    provider: ProviderPath, customer: CustomerUser, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[AuthorizationOut]:
    url = connections_service.authorization_url(settings, provider, customer.id, clock.now())
    return ok(AuthorizationOut(authorization_url=url))


@router.post(
    "/connections/{provider}",
    response_model=DataEnvelope[ConnectionOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 422),
    summary="Complete a wearable connection with the code and state the provider sent back "
    "(customer; tokens kept encrypted)",
)
async def connect_wearable(
    provider: ProviderPath,
    body: CallbackIn,
    customer: CustomerUser,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[ConnectionOut]:
    callback = Callback(provider, body.code, body.state)
    connection = await connections_service.complete(
        session, customer.id, callback, settings, clock.now()
    )
    return ok(ConnectionOut.of(connection))


@router.get(
    "/connections",
    response_model=DataEnvelope[list[ConnectionOut]],
    responses=error_responses(401, 403),
    summary="The caller's wearable connections (customer)",
)
async def list_wearable_connections(
    customer: CustomerUser, session: ReadSession
) -> DataEnvelope[list[ConnectionOut]]:
    connections = await connections_service.connections_of(session, customer.id)
    return ok([ConnectionOut.of(connection) for connection in connections])


@router.delete(
    "/connections/{provider}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Disconnect a wearable: its tokens are deleted (customer)",
)
async def disconnect_wearable(
    provider: ProviderPath, customer: CustomerUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await connections_service.disconnect(session, customer.id, provider, clock.now())
    return said("Wearable disconnected")
