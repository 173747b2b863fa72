"""The payment provider the settings name."""

from __future__ import annotations

from fitcoach.commerce.payments.providers import PaymentProvider, SandboxPaymentProvider
from fitcoach.commerce.payments.stripe_provider import StripePaymentProvider
from fitcoach.config import Settings


def create_payment_provider(settings: Settings) -> PaymentProvider:
    if settings.payment_provider == "stripe":
        return StripePaymentProvider(settings)
    return SandboxPaymentProvider()
