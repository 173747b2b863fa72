"""Applying what a provider's webhook told us, once, whatever the order of arrival. Each
outcome holds the order's row (confirm's lock), so a webhook and a confirm of one order go in
turn and the second finds the first's work done:

- payment_intent.succeeded: a payment whose confirm never got its answer back is completed
  exactly as confirm completes it (OrderService.complete); a paid order is left as it is. A
  session's place taken meanwhile by someone else cannot be delivered: the payment is recorded
  and refunded in full at once.
- payment_intent.payment_failed: an order waiting on the customer's authentication is payable
  again, and the customer is told why it failed.
- An order paying a subscription upgrade that awaited the customer's authentication is billing's
  (billing/completion.py): a success applies the upgrade (once, whether or not the app's confirm
  came first), a failure or a canceled intent gives it up.
- charge.refunded: each refund the provider lists that we do not know by its id (one made in
  the provider's dashboard) becomes our refund with its credit note; ours are already known.
- charge.dispute.created: the order is marked disputed and the admins are told. The
  subscription runs on: a dispute is a claim, often settled for the customer's benefit or
  withdrawn, and cutting the service of a customer who may be right would punish them before
  the bank has decided; an admin who judges it fraud cancels it (or refunds) by hand."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.commerce.billing.completion import (
    GIVEN_UP,
    SUCCEEDED,
    upgrade_completion_service,
)
from fitcoach.commerce.events import PaymentNoticeReceived
from fitcoach.commerce.orders.service import OrderStatus, order_service
from fitcoach.commerce.payments.service import Capture
from fitcoach.commerce.promos.service import promo_service
from fitcoach.commerce.refunds.service import Given, refund_service
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Invoice, Order
from fitcoach.models.enums import NotificationCategory, Role
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.users.service import UserFilter, user_service
from fitcoach.worker.registry import on_event

# Admins told of a dispute: the first page of them is plenty for any business.
_ADMINS = PageRequest(page=1, page_size=100)


async def _succeeded(
    session: AsyncSession, held: tuple[Order, Invoice], event: PaymentNoticeReceived
) -> None:
    order, _ = held
    if order.status not in OrderStatus.payable or event.charge_id is None:
        return
    now = event.occurred_at
    capture = Capture(
        order_id=order.id,
        user_id=order.user_id,
        provider=event.provider,
        charge_id=event.charge_id,
        payment_method=event.payment_method or "",
        amount_minor=order.total_minor,
        currency=order.currency,
    )
    if not await order_service.still_placeable(session, order, now):
        await order_service.settle_undelivered(session, held, capture, now)
        reason = "The session's place was no longer free when the payment arrived"
        await refund_service.refund_in_full(session, order.id, reason, now)
        return
    promo = (
        await promo_service.hold_taken(session, order.promo_code_id)
        if order.promo_code_id is not None
        else None
    )
    await order_service.complete(session, held, capture, promo, now)


async def _failed(session: AsyncSession, order: Order, event: PaymentNoticeReceived) -> None:
    if order.status not in OrderStatus.payable:
        return
    order.status = OrderStatus.pending
    reason = event.reason or "The payment was declined."
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=order.user_id,
            category=NotificationCategory.subscription,
            title="Payment failed",
            body=f"{reason} Please try again with another payment method.",
            data={"orderId": str(order.id)},
            dedupe_key=f"commerce.payment_failed:{event.subject_id}",
        ),
        event.occurred_at,
    )


async def _refunded(session: AsyncSession, order: Order, event: PaymentNoticeReceived) -> None:
    if order.status in OrderStatus.payable:
        return
    for refund_id, amount in event.refunds:
        given = Given(refund_id, amount, "Refunded at the payment provider", admin_id=None)
        await refund_service.record_given(session, order, given, event.occurred_at)


async def _disputed(session: AsyncSession, order: Order, event: PaymentNoticeReceived) -> None:
    if order.status != OrderStatus.paid:
        return
    now = event.occurred_at
    order.status = OrderStatus.disputed
    audit_service.record(
        session,
        AuditEvent(
            action="order.disputed",
            resource_type="order",
            resource_id=order.id,
            details={"reason": event.reason, "charge": event.charge_id},
        ),
        now,
    )
    admins, _ = await user_service.search(
        session, UserFilter(role=Role.ADMIN, blocked=False), "createdAt", _ADMINS
    )
    for admin in admins:
        await notification_service.notify(
            session,
            NotificationRequest(
                user_id=admin.id,
                category=NotificationCategory.account,
                title="Payment disputed",
                body=f"A customer's bank disputes order {order.id} "
                f"({order.total_minor / 100:.2f} {order.currency}, reason: "
                f"{event.reason or 'not given'}). Answer it at the payment provider.",
                data={"orderId": str(order.id)},
                urgent=True,
                dedupe_key=f"commerce.order_disputed:{order.id}",
            ),
            now,
        )


@on_event(PaymentNoticeReceived, name="commerce.reconcile_payment_notice")
async def reconcile_payment_notice(session: AsyncSession, event: PaymentNoticeReceived) -> None:
    # An intent we never made (a charge from the provider's dashboard) is none of ours.
    held = await order_service.lock(session, event.intent_id) if event.intent_id else None
    if held is None:
        return
    order, _ = held
    if (event.kind == SUCCEEDED or event.kind in GIVEN_UP) and (
        await upgrade_completion_service.settle_notice(session, held, event)
    ):
        return
    if event.kind == SUCCEEDED:
        await _succeeded(session, held, event)
    elif event.kind == "payment_intent.payment_failed":
        await _failed(session, order, event)
    elif event.kind == "charge.refunded":
        await _refunded(session, order, event)
    elif event.kind == "charge.dispute.created":
        await _disputed(session, order, event)
