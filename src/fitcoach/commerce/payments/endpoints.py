"""A customer's saved payment methods: the provider's references kept when they confirmed an
order with saveMethod, listed and removed by their owner only."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentUser
from fitcoach.commerce.payments.dependencies import ProviderDep
from fitcoach.commerce.payments.schemas import PaymentMethodOut
from fitcoach.commerce.payments.service import payment_service
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import PaymentMethodIdPath

router = APIRouter(tags=["commerce"])


@router.get(
    "/payment-methods",
    response_model=DataEnvelope[Page[PaymentMethodOut]],
    responses=error_responses(401, 422),
    summary="The caller's saved payment methods, newest first",
)
async def list_payment_methods(
    actor: CurrentUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[PaymentMethodOut]]:
    methods, total = await payment_service.methods(session, actor, page)
    return ok(Page[PaymentMethodOut].of([PaymentMethodOut.of(m) for m in methods], total, page))


@router.delete(
    "/payment-methods/{paymentMethodId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 404, 422),
    summary="Forget one of the caller's saved payment methods",
)
async def remove_payment_method(
    method_id: PaymentMethodIdPath,
    actor: CurrentUser,
    session: DbSession,
    provider: ProviderDep,
    clock: ClockDep,
) -> MessageEnvelope:
    await payment_service.remove_method(session, provider, actor, method_id, clock.now())
    return said("Payment method removed")
