from __future__ import annotations

from pydantic import Field

from fitcoach.commerce.webhooks.service import Receipt
from fitcoach.http.envelope import ApiModel


class WebhookReceiptOut(ApiModel):
    event_id: str = Field(description="The provider's event id")
    type: str = Field(description="The provider's event type")
    duplicate: bool = Field(
        description="An event received before (a provider's retry or a replay): no effect"
    )
    reconciled: bool = Field(
        description="A type commerce acts on (payment succeeded, failed or canceled, charge "
        "refunded or disputed); any other is acknowledged and ignored"
    )

    @classmethod
    def of(cls, receipt: Receipt) -> WebhookReceiptOut:
        return cls(
            event_id=receipt.event_id,
            type=receipt.type,
            duplicate=receipt.duplicate,
            reconciled=receipt.reconciled,
        )
