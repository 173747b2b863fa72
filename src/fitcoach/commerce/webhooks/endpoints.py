"""POST /api/v1/payments/webhooks/{provider}: a payment provider's signed event (Stripe's
scheme), answered 200 once noted; what it tells is applied by the workers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import APIKeyHeader

from fitcoach.commerce.payments.exceptions import WebhookSignatureMissing
from fitcoach.commerce.payments.signatures import HEADER
from fitcoach.commerce.webhooks.schemas import WebhookReceiptOut
from fitcoach.commerce.webhooks.service import (
    SignedDelivery,
    WebhookProvider,
    payment_webhook_service,
)
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok

router = APIRouter(tags=["commerce"])

# Declared as a security scheme, so the 401 of an unsigned call is documented for what it is.
_signature = APIKeyHeader(
    name=HEADER,
    scheme_name="StripeSignature",
    description="Stripe's webhook signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "
    '"<t>.<body>" keyed with the endpoint\'s signing secret>`',
    auto_error=False,
)


async def _signed(header: Annotated[str | None, Depends(_signature)]) -> str:
    # Before the path and body are looked at: an unsigned call learns only that it is unsigned.
    if not header:
        raise WebhookSignatureMissing()
    return header


Signature = Annotated[str, Depends(_signed)]

_EVENT_EXAMPLE = {
    "id": "evt_1QxyzAbc",
    "object": "event",
    "type": "payment_intent.succeeded",
    "data": {
        "object": {
            "id": "pi_3QxyzAbc",
            "object": "payment_intent",
            "latest_charge": "ch_3QxyzAbc",
            "payment_method": "pm_1QxyzAbc",
            "status": "succeeded",
        }
    },
}
_OPENAPI = {
    "requestBody": {
        "required": True,
        "description": "The provider's event, byte for byte as signed",
        "content": {
            "application/json": {"schema": {"type": "object", "examples": [_EVENT_EXAMPLE]}}
        },
    }
}


@router.post(
    "/payments/webhooks/{provider}",
    response_model=DataEnvelope[WebhookReceiptOut],
    responses=error_responses(400, 401, 404, 422),
    openapi_extra=_OPENAPI,
    summary="A payment provider's webhook (provider signature)",
    description=(
        "Signed in Stripe's scheme (`Stripe-Signature`), by Stripe with the endpoint's signing "
        "secret, or by the sandbox with its own. Missing: 401 `webhook_signature_missing`; "
        "not matching: 401 `webhook_signature_invalid`; signed more than 5 minutes from now: "
        "401 `webhook_signature_stale`. A provider other than the one taking payments here is "
        "404. An event received before answers 200 with `duplicate: true` and no effect. "
        "Acted on: payment_intent.succeeded, payment_intent.payment_failed, charge.refunded, "
        "charge.dispute.created, and payment_intent.canceled (which gives up a subscription "
        "upgrade awaiting authentication)."
    ),
)
async def receive_payment_webhook(
    provider: Annotated[WebhookProvider, Path(description="Who sends it")],
    request: Request,
    signature: Signature,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[WebhookReceiptOut]:
    delivery = SignedDelivery(provider, signature, await request.body())
    receipt = await payment_webhook_service.receive(session, delivery, settings, clock.now())
    return ok(WebhookReceiptOut.of(receipt))
