"""Issuing an order's invoice (the next number, its lines, tax and totals), settling it, and
reading invoices as the actor may."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.invoices.exceptions import InvoiceNotFound
from fitcoach.commerce.invoices.pdf import InvoiceDocument, render_invoice
from fitcoach.commerce.invoices.pricing import LineItem, TaxPolicy, totals_of
from fitcoach.commerce.invoices.repository import invoice_repository
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, Invoice, InvoiceLine
from fitcoach.notifications.quiet_hours import zone_of
from fitcoach.users.service import user_service

SERIES = "invoices"
CREDIT_NOTES = "credit_notes"


class InvoiceStatus:
    open = "open"
    paid = "paid"


@dataclass(frozen=True)
class InvoiceDraft:
    order_id: uuid.UUID
    user_id: uuid.UUID
    currency: str
    lines: Sequence[LineItem]
    tax: TaxPolicy


def invoice_number(number: int) -> str:
    return f"INV-{number:06d}"


class InvoiceService:
    async def issue(self, session: AsyncSession, draft: InvoiceDraft, now: datetime) -> Invoice:
        totals = totals_of(draft.lines, draft.tax)
        number = await invoice_repository.next_number(session, SERIES)
        invoice = Invoice(
            order_id=draft.order_id,
            user_id=draft.user_id,
            number=invoice_number(number),
            status=InvoiceStatus.open,
            currency=draft.currency,
            subtotal_minor=totals.subtotal,
            discount_minor=totals.discount,
            tax_minor=totals.tax,
            total_minor=totals.total,
            tax_rate_basis_points=draft.tax.rate_basis_points,
            tax_inclusive=draft.tax.inclusive,
            issued_at=now,
            paid_at=None,
            refunds=[],
            lines=[
                InvoiceLine(
                    position=position,
                    kind=line.kind.value,
                    description=line.description,
                    amount_minor=line.amount_minor,
                )
                for position, line in enumerate(draft.lines)
            ],
        )
        invoice_repository.add(session, invoice)
        await session.flush()
        return invoice

    async def credit_note_number(self, session: AsyncSession) -> str:
        """The next number of the credit-note series, gap-free like the invoices'."""
        return f"CN-{await invoice_repository.next_number(session, CREDIT_NOTES):06d}"

    async def of_order(self, session: AsyncSession, order_id: uuid.UUID) -> Invoice:
        return await invoice_repository.of_order(session, order_id)

    def settle(self, invoice: Invoice, now: datetime) -> None:
        invoice.status = InvoiceStatus.paid
        invoice.paid_at = now

    async def get(self, session: AsyncSession, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
        invoice = await invoice_repository.find_readable(session, actor, invoice_id)
        if invoice is None:
            raise InvoiceNotFound()
        return invoice

    async def pdf(self, session: AsyncSession, actor: Actor, invoice_id: uuid.UUID) -> bytes:
        """The invoice as a PDF, its dates in its customer's time zone; drawn in a worker
        thread, so the event loop serves others meanwhile."""
        invoice = await self.get(session, actor, invoice_id)
        customer = await user_service.get(session, invoice.user_id)
        document = InvoiceDocument(invoice, customer.name, zone_of(customer.time_zone))
        return await anyio.to_thread.run_sync(render_invoice, document)

    async def page(
        self, session: AsyncSession, actor: Actor, page: PageRequest
    ) -> tuple[list[Invoice], int]:
        return await invoice_repository.page_readable(session, actor, page)


invoice_service = InvoiceService()
