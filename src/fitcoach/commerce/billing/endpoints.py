"""Changing a paid subscription (its customer), and the business's subscription policy
(admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import AdminUser, user_rate_limit
from fitcoach.commerce.billing import policy
from fitcoach.commerce.billing.schemas import (
    SubscriptionChangeIn,
    SubscriptionChangeOut,
    SubscriptionPolicyIn,
)
from fitcoach.commerce.billing.service import Billing, subscription_change_service
from fitcoach.commerce.dependencies import Buyer, ProviderDep, TaxDep
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.paths import SubscriptionIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent

router = APIRouter(tags=["commerce"], route_class=IdempotentRoute)

CHANGE_LIMIT = "30/minute"


@router.post(
    "/subscriptions/{subscriptionId}/change",
    response_model=DataEnvelope[SubscriptionChangeOut],
    # An upgrade charges the customer: a retried request must not charge twice.
    dependencies=[idempotent, user_rate_limit("commerce.subscription_change", CHANGE_LIMIT)],
    responses=error_responses(400, 401, 402, 403, 404, 409, 422, 429),
    summary="Upgrade (now, the unused days credited and the difference charged), downgrade (at "
    "the period end or effectiveDate), pause (from effectiveDate, within the business's "
    "limits), resume or cancel the caller's paid subscription. With preview=true, answers "
    "exactly what would happen and changes nothing",
)
async def change_subscription(
    subscription_id: SubscriptionIdPath,
    body: SubscriptionChangeIn,
    buyer: Buyer,
    session: DbSession,
    provider: ProviderDep,
    tax: TaxDep,
    clock: ClockDep,
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
    return ok(SubscriptionChangeOut.of(outcome, now, preview=preview))


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
