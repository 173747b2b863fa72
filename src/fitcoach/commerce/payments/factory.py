"""The payment provider the settings name."""

from __future__ import annotations

from fitcoach.commerce.payments.providers import PaymentProvider, SandboxPaymentProvider
from fitcoach.config import Settings


def create_payment_provider(settings: Settings) -> PaymentProvider:
    if settings.payment_provider == "stripe":
        # Imported only when chosen: the stripe library costs every process half a second.
        from fitcoach.commerce.payments.stripe_provider import StripePaymentProvider

        return StripePaymentProvider(settings)
    return SandboxPaymentProvider()
