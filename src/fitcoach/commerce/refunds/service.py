"""Refunding a paid order: never more than it paid minus its earlier refunds (the order's row is
held, so concurrent refunds of one order go in turn), through the provider, with a credit note,
audited, and RefundIssued for the customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.commerce.events import RefundIssued
from fitcoach.commerce.invoices.service import invoice_service
from fitcoach.commerce.orders.service import OrderStatus, order_service
from fitcoach.commerce.payments.providers import PaymentProvider, RefundRequest
from fitcoach.commerce.payments.service import payment_service
from fitcoach.commerce.refunds.exceptions import RefundExceedsPayment
from fitcoach.commerce.refunds.repository import refund_repository
from fitcoach.models import Actor, Refund
from fitcoach.worker.events import record_event


@dataclass(frozen=True)
class RefundDraft:
    order_id: uuid.UUID
    amount: int
    reason: str


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
        invoice = await invoice_service.of_order(session, order.id)
        refund = Refund(
            order_id=order.id,
            invoice_id=invoice.id,
            amount_minor=draft.amount,
            currency=payment.currency,
            reason=draft.reason,
            provider_refund_id=provider_refund_id,
            credit_note_number=await invoice_service.credit_note_number(session),
            refunded_by_id=admin.id,
        )
        refund_repository.add(session, refund)
        fully = draft.amount == left
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
                    "amount": draft.amount,
                    "creditNote": refund.credit_note_number,
                    "reason": draft.reason,
                },
            ),
            now,
        )
        record_event(
            session,
            RefundIssued(
                occurred_at=now,
                actor_id=admin.id,
                subject_type="refund",
                subject_id=str(refund.id),
                refund_id=refund.id,
                order_id=order.id,
                user_id=order.user_id,
                amount_minor=draft.amount,
                currency=payment.currency,
                credit_note_number=refund.credit_note_number,
                fully_refunded=fully,
            ),
        )
        return refund


refund_service = RefundService()
