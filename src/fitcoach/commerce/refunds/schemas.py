from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from fitcoach.commerce.refunds.service import RefundDraft
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import label
from fitcoach.models import Refund


class RefundIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": 2500, "reason": "Two sessions not held"}]}
    )

    amount: Annotated[int, Field(strict=True, ge=1, le=100_000_000)] = Field(
        description="Minor units; at most what the order paid minus earlier refunds"
    )
    reason: Annotated[str, label(500)]

    def to_draft(self, order_id: uuid.UUID) -> RefundDraft:
        return RefundDraft(order_id=order_id, amount=self.amount, reason=self.reason)


class RefundOut(ApiModel):
    id: uuid.UUID
    order_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: int
    currency: str
    reason: str
    credit_note_number: str
    created_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(
            id=refund.id,
            order_id=refund.order_id,
            invoice_id=refund.invoice_id,
            amount=refund.amount_minor,
            currency=refund.currency,
            reason=refund.reason,
            credit_note_number=refund.credit_note_number,
            created_at=refund.created_at,
        )
