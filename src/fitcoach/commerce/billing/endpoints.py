"""Changing a paid subscription (its customer), and the business's subscription policy
(admins). An upgrade whose charge needs the customer's bank authentication answers 202 with the
change awaiting it (status requires_action, paymentIntent, nextAction), completed by its confirm
once the customer authenticated (or by the provider's webhook, whichever comes first)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from fitcoach.access.dependencies import AdminUser, user_rate_limit
from fitcoach.commerce.billing import policy
from fitcoach.commerce.billing.completion import ChangeRef, upgrade_completion_service
from fitcoach.commerce.billing.schemas import (
    SubscriptionChangeConfirmIn,
    SubscriptionChangeIn,
    SubscriptionChangeOut,
    SubscriptionPolicyIn,
)
from fitcoach.commerce.billing.service import Billing, ChangeOutcome, subscription_change_service
from fitcoach.commerce.dependencies import Buyer, ProviderDep, TaxDep
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.paths import ChangeIdPath, SubscriptionIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent

router = APIRouter(tags=["commerce"], route_class=IdempotentRoute)

CHANGE_LIMIT = "30/minute"

_AWAITING_EXAMPLE = {
    "status": "success",
    "data": {
        "id": "6c1f0e52-94a7-4d3b-8f21-0b7e5d9c3a48",
        "action": "upgrade",
        "preview": False,
        "status": "requires_action",
        "paymentIntent": {
            "provider": "stripe",
            "id": "pi_3QxyzAbc",
            "clientSecret": "pi_3QxyzAbc_secret_4f9a",
        },
        "nextAction": {"type": "redirect_to_url", "redirectUrl": "https://hooks.stripe.com/3ds"},
        "effectiveAt": "2027-01-04T12:00:00Z",
        "appliesNow": True,
        "periodEndsAt": "2027-02-01T00:00:00Z",
        "productId": "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10",
        "entitlements": {
            "sessionsPerMonth": 8,
            "customTrainingPlan": True,
            "customDietPlan": True,
            "chatAccess": True,
        },
        "currency": "USD",
        "proration": {"remainingDays": 28, "credit": 8400, "charge": 14000},
        "amountDue": 5600,
        "tax": 0,
        "refund": 0,
        "pauseEndsAt": None,
        "subscription": {"id": "0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f01", "productId": "..."},
        "invoice": {"number": "INV-000042", "status": "open", "total": 5600},
    },
}
# The 202 of a change awaiting the customer's authentication: the same schema as the 200, so a
# generated client reads both alike and branches on `status`.
_AWAITING: dict[int | str, dict[str, Any]] = {
    202: {
        "model": DataEnvelope[SubscriptionChangeOut],
        "description": "The upgrade's charge awaits the customer's bank authentication "
        "(status requires_action): nothing has changed yet. Let the provider's SDK handle "
        "nextAction with paymentIntent.clientSecret, then confirm the change; or withdraw it",
        "content": {"application/json": {"example": _AWAITING_EXAMPLE}},
    }
}


def _answer(
    outcome: ChangeOutcome, response: Response, now: datetime, *, preview: bool = False
) -> DataEnvelope[SubscriptionChangeOut]:
    if outcome.awaits_authentication:
        response.status_code = 202
    return ok(SubscriptionChangeOut.of(outcome, now, preview=preview))


@router.post(
    "/subscriptions/{subscriptionId}/change",
    response_model=DataEnvelope[SubscriptionChangeOut],
    # An upgrade charges the customer: a retried request must not charge twice.
    dependencies=[idempotent, user_rate_limit("commerce.subscription_change", CHANGE_LIMIT)],
    responses={**_AWAITING, **error_responses(400, 401, 402, 403, 404, 409, 422, 429)},
    summary="Upgrade (now, the unused days credited and the difference charged; or scheduled "
    "from a later effectiveDate, charged with a saved method on that day), downgrade (at "
    "the period end or effectiveDate), pause (from effectiveDate, within the business's "
    "limits), resume, cancel or withdraw (a scheduled downgrade, upgrade or cancel, or an "
    "upgrade awaiting authentication) the caller's paid subscription. An upgrade whose charge "
    "needs the customer's bank authentication answers 202 (status requires_action, "
    "nextAction) and changes nothing until its confirm. With preview=true, answers exactly "
    "what would happen and changes nothing",
)
async def change_subscription(
    subscription_id: SubscriptionIdPath,
    body: SubscriptionChangeIn,
    buyer: Buyer,
    session: DbSession,
    provider: ProviderDep,
    tax: TaxDep,
    clock: ClockDep,
    response: Response,
    preview: Annotated[
        bool, Query(description="Answer what the change would do, without doing it")
    ] = False,
) -> DataEnvelope[SubscriptionChangeOut]:
    now = clock.now()
    outcome = await subscription_change_service.change(
        session,
        buyer,
        subscription_id,
        body.to_request(),
        Billing(provider, tax, now),
        preview=preview,
    )
    return _answer(outcome, response, now, preview=preview)


@router.post(
    "/subscriptions/{subscriptionId}/changes/{changeId}/confirm",
    response_model=DataEnvelope[SubscriptionChangeOut],
    # It captures the upgrade's charge: a retried request must not charge twice.
    dependencies=[idempotent, user_rate_limit("commerce.subscription_change", CHANGE_LIMIT)],
    responses={**_AWAITING, **error_responses(400, 401, 402, 403, 404, 409, 422, 429)},
    summary="Complete an upgrade that awaited the customer's bank authentication: capture its "
    "charge and apply it (200, status applied), with the amounts it was priced with. An upgrade "
    "already applied (its payment reported by the provider first) is answered as it is, never "
    "charged twice; one still needing authentication answers 202 with nextAction again; a "
    "decline (402) leaves it awaiting another method; one whose priced period has ended is 409 "
    "upgrade_expired",
)
async def confirm_subscription_change(
    subscription_id: SubscriptionIdPath,
    change_id: ChangeIdPath,
    body: SubscriptionChangeConfirmIn,
    buyer: Buyer,
    session: DbSession,
    provider: ProviderDep,
    tax: TaxDep,
    clock: ClockDep,
    response: Response,
) -> DataEnvelope[SubscriptionChangeOut]:
    now = clock.now()
    outcome = await upgrade_completion_service.confirm(
        session,
        buyer,
        ChangeRef(subscription_id, change_id),
        body.payment_method_id,
        Billing(provider, tax, now),
    )
    return _answer(outcome, response, now)


@router.put(
    "/admin/settings/subscriptions",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 422),
    summary="Set the pause limits and the refund of an immediate cancel (admin)",
)
async def set_subscription_policy(
    body: SubscriptionPolicyIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await policy.set_subscription_policy(session, admin, body.to_policy(), clock.now())
    return said("Subscription policy updated")
