from __future__ import annotations

from fitcoach.core.errors import Conflict


class RefundExceedsPayment(Conflict):
    """More than what was paid minus earlier refunds."""

    def __init__(self, left: int, currency: str) -> None:
        super().__init__(
            f"At most {left} ({currency} minor units) can still be refunded on this order"
        )
