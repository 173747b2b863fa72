"""Refunding a paid order: never more than it paid minus its earlier refunds (the order's row is
held, so concurrent refunds of one order go in turn), through the provider, with a credit note,
audited, and RefundIssued for the customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.commerce.events import RefundIssued
from fitcoach.commerce.invoices.service import invoice_service
from fitcoach.commerce.orders.service import OrderStatus, order_service
from fitcoach.commerce.payments.providers import PaymentProvider, RefundRequest
from fitcoach.commerce.payments.service import payment_service, provider_of
from fitcoach.commerce.refunds.exceptions import RefundExceedsPayment
from fitcoach.commerce.refunds.repository import refund_repository
from fitcoach.models import Actor, Order, Payment, Refund
from fitcoach.worker.events import record_event

_log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RefundDraft:
    order_id: uuid.UUID
    amount: int
    reason: str


@dataclass(frozen=True)
class Given:
    """Money the provider gave back: its refund id, the amount, why, and the admin who asked
    (None for a refund made at the provider)."""

    provider_refund_id: str
    amount: int
    reason: str
    admin_id: uuid.UUID | None


class RefundService:
    async def issue(
        self,
        session: AsyncSession,
        provider: PaymentProvider,
        admin: Actor,
        draft: RefundDraft,
        now: datetime,
    ) -> Refund:
        order = await order_service.lock_paid(session, admin, draft.order_id)
        payment = await payment_service.of_order(session, order.id)
        assert payment is not None, "a paid order has its payment"
        refunded = await refund_repository.total_for(session, order.id)
        left = payment.amount_minor - refunded
        if draft.amount > left:
            raise RefundExceedsPayment(left, payment.currency)
        provider_refund_id = await provider.refund(
            RefundRequest(
                charge_id=payment.charge_id,
                amount_minor=draft.amount,
                currency=payment.currency,
                key=f"{order.id}:{refunded}",
            )
        )
        given = Given(provider_refund_id, draft.amount, draft.reason, admin.id)
        return await self._record(session, (order, payment), given, now)

    async def refund_in_full(
        self, session: AsyncSession, order_id: uuid.UUID, reason: str, now: datetime
    ) -> Refund | None:
        """Give back all that is left of a paid order, through the app's provider, for a reason
        of the business (no admin asked). None when nothing is left: a redelivered request
        refunds nothing twice, as the order's row is held while the refunds are summed."""
        order = await order_service.lock_settled(session, order_id)
        if order is None:
            return None
        payment = await payment_service.of_order(session, order.id)
        if payment is None:
            return None
        refunded = await refund_repository.total_for(session, order.id)
        left = payment.amount_minor - refunded
        if left <= 0:
            return None
        provider_refund_id = await provider_of(session).refund(
            RefundRequest(
                charge_id=payment.charge_id,
                amount_minor=left,
                currency=payment.currency,
                # The provider's own idempotency key: a retried transaction gets the same refund.
                key=f"{order.id}:{refunded}",
            )
        )
        given = Given(provider_refund_id, left, reason, admin_id=None)
        return await self._record(session, (order, payment), given, now)

    async def record_given(
        self, session: AsyncSession, order: Order, given: Given, now: datetime
    ) -> Refund | None:
        """A refund the provider says it gave (made in its dashboard), held order: recorded
        with its credit note unless already known by the provider's id (one we made, or the
        same event again). None when there is nothing new to record."""
        if await refund_repository.known(session, given.provider_refund_id):
            return None
        payment = await payment_service.of_order(session, order.id)
        if payment is None:
            return None
        left = payment.amount_minor - await refund_repository.total_for(session, order.id)
        if given.amount > left:
            # The provider never gives back more than it took: a mismatch is for a person.
            _log.error(
                "refund.exceeds_payment",
                order_id=str(order.id),
                provider_refund_id=given.provider_refund_id,
                amount=given.amount,
                left=left,
            )
            return None
        return await self._record(session, (order, payment), given, now)

    async def _record(
        self, session: AsyncSession, paid: tuple[Order, Payment], given: Given, now: datetime
    ) -> Refund:
        order, payment = paid
        left = payment.amount_minor - await refund_repository.total_for(session, order.id)
        invoice = await invoice_service.of_order(session, order.id)
        refund = Refund(
            order_id=order.id,
            invoice_id=invoice.id,
            amount_minor=given.amount,
            currency=payment.currency,
            reason=given.reason,
            provider_refund_id=given.provider_refund_id,
            credit_note_number=await invoice_service.credit_note_number(session),
            refunded_by_id=given.admin_id,
        )
        refund_repository.add(session, refund)
        fully = given.amount == left
        if fully:
            order.status = OrderStatus.refunded
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="order.refunded",
                resource_type="order",
                resource_id=order.id,
                details={
                    "amount": given.amount,
                    "creditNote": refund.credit_note_number,
                    "reason": given.reason,
                },
            ),
            now,
        )
        record_event(
            session,
            RefundIssued(
                occurred_at=now,
                actor_id=given.admin_id,
                subject_type="refund",
                subject_id=str(refund.id),
                refund_id=refund.id,
                order_id=order.id,
                user_id=order.user_id,
                amount_minor=given.amount,
                currency=payment.currency,
                credit_note_number=refund.credit_note_number,
                fully_refunded=fully,
            ),
        )
        return refund


refund_service = RefundService()
