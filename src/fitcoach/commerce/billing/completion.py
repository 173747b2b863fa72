"""Completing an upgrade that awaited the customer's bank authentication, by whichever comes
first: the app's confirm once the customer authenticated, or the provider's
payment_intent.succeeded. Both take the customer's lock first (confirm: then the subscription;
the webhook's handler: then the order, then the subscription), so they go in turn and the
second finds the upgrade applied: it is applied exactly once, as an immediate upgrade is (the
payment recorded, the invoice paid, the target's entitlements, SubscriptionChanged).

A payment_intent.payment_failed (or .canceled) gives the upgrade up: the subscription never
changed, and the customer may upgrade again. A success reported for an upgrade that can no
longer be applied (withdrawn, failed, or its period over) is recorded and refunded in full."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.catalog.products.service import product_service
from fitcoach.commerce.billing.applying import PaidUpgrade, apply_paid_upgrade
from fitcoach.commerce.billing.awaiting import bill_of, drop_awaiting, frozen_plan, still_priced
from fitcoach.commerce.billing.charges import Billed, capture_of, record_capture
from fitcoach.commerce.billing.exceptions import (
    ChangeNotAwaitingAuthentication,
    ChangeNotFound,
    SubscriptionNotFound,
    UpgradeExpired,
)
from fitcoach.commerce.billing.planning import ChangeAction
from fitcoach.commerce.billing.repository import ChangeStatus, billing_repository
from fitcoach.commerce.billing.service import (
    Billing,
    ChangeOutcome,
)
from fitcoach.commerce.events import PaymentNoticeReceived
from fitcoach.commerce.payments.exceptions import PaymentDeclined
from fitcoach.commerce.payments.providers import CaptureOutcome, CaptureRequest
from fitcoach.commerce.payments.service import Capture
from fitcoach.commerce.refunds.service import refund_service
from fitcoach.models import Actor, Invoice, Order, SubscriptionChange
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.users.service import user_service

SUCCEEDED = "payment_intent.succeeded"
# What gives an awaiting upgrade up: the customer failed to authenticate, or the intent was
# canceled (at the provider, or by the bank's time limit).
GIVEN_UP = frozenset({"payment_intent.payment_failed", "payment_intent.canceled"})


@dataclass(frozen=True)
class ChangeRef:
    subscription_id: uuid.UUID
    change_id: uuid.UUID


class UpgradeCompletionService:
    async def confirm(
        self,
        session: AsyncSession,
        actor: Actor,
        ref: ChangeRef,
        payment_method: str | None,
        billing: Billing,
    ) -> ChangeOutcome:
        """Capture after the customer's authentication and apply the upgrade. An applied one
        is answered as it is, never charged twice; a decline leaves it awaiting (another method
        may pay it, or the customer withdraws it)."""
        now = billing.now
        await user_service.hold(session, actor.id)
        subscription = await billing_repository.subscription_for_update(
            session, ref.subscription_id
        )
        if subscription is None or subscription.user_id != actor.id:
            raise SubscriptionNotFound()
        change = await billing_repository.change_of(session, subscription.id, ref.change_id)
        if change is None:
            raise ChangeNotFound()
        if change.action != ChangeAction.upgrade or change.order_id is None:
            raise ChangeNotAwaitingAuthentication()
        held = PaidUpgrade(subscription, change, await bill_of(session, change))
        if change.status == ChangeStatus.applied:
            return await self._outcome(session, held)
        if change.status != ChangeStatus.requires_action:
            raise ChangeNotAwaitingAuthentication()
        if not still_priced(change, subscription, now):
            raise UpgradeExpired()
        order = held.bill.order
        method = payment_method or change.payment_method
        assert method is not None, "an awaiting upgrade keeps the method it was tried with"
        result = await billing.provider.capture(
            CaptureRequest(
                intent_id=order.intent_id,
                amount_minor=order.total_minor,
                currency=order.currency,
                payment_method=method,
                after_action=True,
            )
        )
        if result.outcome is CaptureOutcome.declined:
            raise PaymentDeclined(f"The payment was declined: {result.decline_reason}")
        if result.outcome is CaptureOutcome.requires_action:
            outcome = await self._outcome(session, held)
            return ChangeOutcome(
                outcome.plan, subscription, change, held.bill, next_action=result.next_action
            )
        assert result.charge_id is not None
        capture = capture_of(order, (billing.provider.name, result.charge_id), method)
        return await self._apply(session, actor, held, capture, now)

    async def settle_notice(
        self, session: AsyncSession, paid: tuple[Order, Invoice], event: PaymentNoticeReceived
    ) -> bool:
        """Apply a provider's outcome to the upgrade the order (held by the caller) pays; False
        when it pays none, for the caller to reconcile it as an order."""
        order, invoice = paid
        change = await billing_repository.change_paid_by(session, order.id)
        if change is None:
            return False
        if event.kind == SUCCEEDED and order.paid_at is None and event.charge_id is not None:
            await self._succeeded(session, change, Billed(order, invoice), event)
        elif event.kind in GIVEN_UP and change.status == ChangeStatus.requires_action:
            await drop_awaiting(session, change, ChangeStatus.failed)
            reason = event.reason or "The payment was not authenticated."
            await _tell(session, event, order, f"{reason} Your subscription is unchanged.")
        return True

    async def _succeeded(
        self,
        session: AsyncSession,
        change: SubscriptionChange,
        bill: Billed,
        event: PaymentNoticeReceived,
    ) -> None:
        now, order = event.occurred_at, bill.order
        assert event.charge_id is not None
        method = event.payment_method or change.payment_method or ""
        capture = capture_of(order, (event.provider, event.charge_id), method)
        subscription = await billing_repository.subscription_for_update(
            session, change.subscription_id
        )
        assert subscription is not None, "a change is deleted with its subscription"
        held = PaidUpgrade(subscription, change, bill)
        if change.status == ChangeStatus.requires_action and still_priced(
            change, subscription, now
        ):
            customer = await user_service.get(session, subscription.user_id)
            await self._apply(session, customer, held, capture, now)
            return
        # Taken for an upgrade that will not be applied: the money goes back at once.
        if change.status == ChangeStatus.requires_action:
            change.status = ChangeStatus.expired
        await record_capture(session, bill, capture, now)
        reason = "The upgrade could no longer be applied when the payment arrived"
        await refund_service.refund_in_full(session, order.id, reason, now)
        await _tell(session, event, order, f"{reason}; the payment was refunded in full.")

    async def _apply(
        self,
        session: AsyncSession,
        actor: Actor,
        held: PaidUpgrade,
        capture: Capture,
        now: datetime,
    ) -> ChangeOutcome:
        """As an immediate upgrade applies, taking effect now, when it is completed."""
        await record_capture(session, held.bill, capture, now)
        held.change.effective_at = now
        return await apply_paid_upgrade(session, actor, held, now)

    async def _outcome(self, session: AsyncSession, held: PaidUpgrade) -> ChangeOutcome:
        """The upgrade as priced; the sessions it added are told by the answer that applied
        it (and SubscriptionChanged), not kept to be told again."""
        assert held.bill.order.product_id is not None
        target = await product_service.stored(session, held.bill.order.product_id)
        plan = frozen_plan(held.change, target, held.bill.invoice)
        return ChangeOutcome(plan, held.subscription, held.change, held.bill)


async def _tell(
    session: AsyncSession, event: PaymentNoticeReceived, order: Order, body: str
) -> None:
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=order.user_id,
            category=NotificationCategory.subscription,
            title="Your upgrade was not completed",
            body=body,
            data={"orderId": str(order.id), "subscriptionId": str(order.subscription_id)},
            dedupe_key=f"commerce.upgrade_not_completed:{event.subject_id}",
        ),
        event.occurred_at,
    )


upgrade_completion_service = UpgradeCompletionService()
