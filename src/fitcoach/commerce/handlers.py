"""What commerce does when its own events are handled: tell the customer their payment went
through, and the product's coach that they have a new client (and plans to build). A drop-in
place's payment tells the customer only: the booking itself is told by scheduling."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.events import DropInPaid, OrderPaid, RefundIssued
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.worker.registry import on_event


def _money(amount_minor: int, currency: str) -> str:
    return f"{amount_minor / 100:.2f} {currency}"


@on_event(OrderPaid, name="commerce.notify_order_paid")
async def notify_order_paid(session: AsyncSession, event: OrderPaid) -> None:
    data = {
        "orderId": str(event.order_id),
        "productId": str(event.product_id),
        "subscriptionId": str(event.subscription_id),
    }
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.user_id,
            category=NotificationCategory.subscription,
            title="Payment received",
            body=f"You paid {_money(event.amount_minor, event.currency)} for "
            f"{event.product_title}; your subscription runs until "
            f"{event.period_end:%d %B %Y}.",
            data=data,
            dedupe_key=f"commerce.order_paid:{event.order_id}",
        ),
        event.occurred_at,
    )
    ask = " Please build their custom plans." if event.custom_plans else ""
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.coach_id,
            category=NotificationCategory.account,
            title="New client",
            body=f"A customer bought {event.product_title}.{ask}",
            data={**data, "customerId": str(event.user_id)},
            dedupe_key=f"commerce.order_paid.coach:{event.order_id}",
        ),
        event.occurred_at,
    )


@on_event(DropInPaid, name="commerce.notify_drop_in_paid")
async def notify_drop_in_paid(session: AsyncSession, event: DropInPaid) -> None:
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.user_id,
            category=NotificationCategory.subscription,
            title="Payment received",
            body=f"You paid {_money(event.amount_minor, event.currency)} for a place in a session.",
            data={"orderId": str(event.order_id), "sessionId": str(event.session_id)},
            dedupe_key=f"commerce.drop_in_paid:{event.order_id}",
        ),
        event.occurred_at,
    )


@on_event(RefundIssued, name="commerce.notify_refund_issued")
async def notify_refund_issued(session: AsyncSession, event: RefundIssued) -> None:
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.user_id,
            category=NotificationCategory.subscription,
            title="Refund issued",
            body=f"We refunded {_money(event.amount_minor, event.currency)} "
            f"(credit note {event.credit_note_number}).",
            data={"orderId": str(event.order_id), "refundId": str(event.refund_id)},
            dedupe_key=f"commerce.refund_issued:{event.refund_id}",
        ),
        event.occurred_at,
    )
