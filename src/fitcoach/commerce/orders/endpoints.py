"""Orders: a customer places one (a pending order, its invoice and the payment intent) and
confirms it with a payment method; customers read their own orders, admins every one."""

from __future__ import annotations

from fastapi import APIRouter, Response

from fitcoach.access.dependencies import CurrentUser, user_rate_limit
from fitcoach.commerce.dependencies import Buyer, ProviderDep, TaxDep
from fitcoach.commerce.orders.schemas import CheckoutOut, ConfirmIn, OrderIn, OrderOut
from fitcoach.commerce.orders.service import order_service
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import OrderIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent

router = APIRouter(tags=["commerce"], route_class=IdempotentRoute)

CHECKOUT_LIMIT = "60/minute"


@router.post(
    "/orders",
    response_model=DataEnvelope[CheckoutOut],
    status_code=201,
    dependencies=[idempotent, user_rate_limit("commerce.orders", CHECKOUT_LIMIT)],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Place a pending order for a published product with its add-ons, or for one place "
    "in a session sold as a drop-in: its invoice and the payment intent the app collects the "
    "card with. A customer's open order for the same product or session is answered again "
    "(200) instead of a second one",
)
async def place_order(
    body: OrderIn,
    buyer: Buyer,
    session: DbSession,
    provider: ProviderDep,
    tax: TaxDep,
    clock: ClockDep,
    created: Created,
    response: Response,
) -> DataEnvelope[CheckoutOut]:
    checkout = await order_service.place(
        session, provider, buyer, body.to_draft(), tax, clock.now()
    )
    created.route("get_order", orderId=checkout.order.id)
    if not checkout.created:
        response.status_code = 200
    return ok(CheckoutOut.of(checkout))


@router.post(
    "/orders/{orderId}/confirm",
    response_model=DataEnvelope[CheckoutOut],
    dependencies=[idempotent, user_rate_limit("commerce.orders", CHECKOUT_LIMIT)],
    responses=error_responses(400, 401, 402, 403, 404, 409, 422, 429),
    summary="Pay an order: capture the payment, mark the order and invoice paid and start or "
    "extend the paid subscription, or book the session's place (refused with 409, nothing "
    "captured, when the place can no longer be taken). A payment that needs the customer's "
    "authentication answers with status requires_action and nextAction; confirm again "
    "afterwards. A paid order is answered as it is, never charged twice",
)
async def confirm_order(
    order_id: OrderIdPath,
    body: ConfirmIn,
    buyer: Buyer,
    session: DbSession,
    provider: ProviderDep,
    clock: ClockDep,
) -> DataEnvelope[CheckoutOut]:
    checkout = await order_service.confirm(
        session, provider, buyer, order_id, body.to_payer(), clock.now()
    )
    return ok(CheckoutOut.of(checkout))


@router.get(
    "/orders",
    response_model=DataEnvelope[Page[OrderOut]],
    responses=error_responses(401, 422),
    summary="Orders, newest first: a customer's own, every order for an admin",
)
async def list_orders(
    actor: CurrentUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[OrderOut]]:
    orders, total = await order_service.page(session, actor, page)
    return ok(Page[OrderOut].of([OrderOut.of(order) for order in orders], total, page))


@router.get(
    "/orders/{orderId}",
    response_model=DataEnvelope[OrderOut],
    responses=error_responses(401, 404, 422),
    summary="One order (its customer, or an admin)",
)
async def get_order(
    order_id: OrderIdPath, actor: CurrentUser, session: ReadSession
) -> DataEnvelope[OrderOut]:
    return ok(OrderOut.of(await order_service.get(session, actor, order_id)))
