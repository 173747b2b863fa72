from __future__ import annotations

from fitcoach.core.errors import DomainError, NotFound


class PaymentMethodNotFound(NotFound):
    message = "Payment method not found"


class PaymentDeclined(DomainError):
    """The provider refused the payment; the message carries its reason."""

    status_code = 402
    message = "The payment was declined"
