from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from fitcoach.http.envelope import ApiModel
from fitcoach.models import Invoice, InvoiceLine, Refund


class InvoiceLineOut(ApiModel):
    kind: Literal["product", "addon", "session", "discount", "proration"]
    description: str
    amount: int = Field(
        description="Minor units; negative for a discount or the credit of unused days"
    )

    @classmethod
    def of(cls, line: InvoiceLine) -> InvoiceLineOut:
        return cls.model_validate(
            {"kind": line.kind, "description": line.description, "amount": line.amount_minor}
        )


class CreditNoteOut(ApiModel):
    number: str = Field(description="Sequential, without gaps: CN-000001")
    amount: int = Field(description="Minor units refunded")
    reason: str
    issued_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> CreditNoteOut:
        return cls(
            number=refund.credit_note_number,
            amount=refund.amount_minor,
            reason=refund.reason,
            issued_at=refund.created_at,
        )


class InvoiceOut(ApiModel):
    id: uuid.UUID
    number: str = Field(description="Sequential per business, without gaps: INV-000001")
    order_id: uuid.UUID
    status: Literal["open", "paid", "void"]
    currency: str
    lines: list[InvoiceLineOut]
    subtotal: int = Field(description="Sum of the product and add-on lines, minor units")
    discount: int
    tax: int
    total: int = Field(description="What is charged, minor units")
    tax_rate_basis_points: int = Field(description="2000 is 20 %")
    tax_inclusive: bool = Field(description="True: the prices include the tax")
    issued_at: datetime
    paid_at: datetime | None
    credit_notes: list[CreditNoteOut] = Field(description="The refunds given on it")
    refunded: int = Field(description="Sum of the credit notes, minor units")

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceOut:
        return cls(
            id=invoice.id,
            number=invoice.number,
            order_id=invoice.order_id,
            status=invoice.status,
            currency=invoice.currency,
            lines=[InvoiceLineOut.of(line) for line in invoice.lines],
            subtotal=invoice.subtotal_minor,
            discount=invoice.discount_minor,
            tax=invoice.tax_minor,
            total=invoice.total_minor,
            tax_rate_basis_points=invoice.tax_rate_basis_points,
            tax_inclusive=invoice.tax_inclusive,
            issued_at=invoice.issued_at,
            paid_at=invoice.paid_at,
            credit_notes=[CreditNoteOut.of(refund) for refund in invoice.refunds],
            refunded=sum(refund.amount_minor for refund in invoice.refunds),
        )
