from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from fitcoach.http.envelope import ApiModel
from fitcoach.models import PaymentMethod


class PaymentMethodOut(ApiModel):
    id: uuid.UUID
    provider: str
    payment_method_id: str = Field(
        description="The provider's reference, to pass as paymentMethodId when confirming"
    )
    brand: str
    last4: str
    created_at: datetime

    @classmethod
    def of(cls, method: PaymentMethod) -> PaymentMethodOut:
        return cls(
            id=method.id,
            provider=method.provider,
            payment_method_id=method.reference,
            brand=method.brand,
            last4=method.last4,
            created_at=method.created_at,
        )
