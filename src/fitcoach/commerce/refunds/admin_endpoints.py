"""Refunds, given by admins."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.commerce.dependencies import ProviderDep
from fitcoach.commerce.refunds.schemas import RefundIn, RefundOut
from fitcoach.commerce.refunds.service import refund_service
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.paths import OrderIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent

router = APIRouter(prefix="/admin", tags=["admin"], route_class=IdempotentRoute)


@router.post(
    "/orders/{orderId}/refunds",
    response_model=DataEnvelope[RefundOut],
    status_code=201,
    dependencies=[idempotent],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Refund part or all of a paid order through its provider, with a credit note on "
    "its invoice (admin); never more than it paid minus earlier refunds",
)
async def refund_order(
    order_id: OrderIdPath,
    body: RefundIn,
    admin: AdminUser,
    session: DbSession,
    provider: ProviderDep,
    clock: ClockDep,
) -> DataEnvelope[RefundOut]:
    refund = await refund_service.issue(
        session, provider, admin, body.to_draft(order_id), clock.now()
    )
    return ok(RefundOut.of(refund))
