from __future__ import annotations

from fitcoach.core.errors import DomainError, NotFound


class PaymentMethodNotFound(NotFound):
    message = "Payment method not found"


class PaymentDeclined(DomainError):
    """The provider refused the payment; the message carries its reason."""

    status_code = 402
    message = "The payment was declined"


class WebhookRefused(DomainError):
    """A webhook not signed by the provider: 401, but no bearer token would help."""

    status_code = 401
    message = "The webhook is not signed by the provider"


class WebhookSignatureMissing(WebhookRefused):
    code = "webhook_signature_missing"
    message = "The Stripe-Signature header is missing: the provider signs every webhook"


class WebhookSignatureInvalid(WebhookRefused):
    code = "webhook_signature_invalid"
    message = "The Stripe-Signature header does not match the body and the endpoint's secret"


class WebhookSignatureStale(WebhookRefused):
    code = "webhook_signature_stale"
    message = "The webhook was signed more than the tolerance ago: refused as a replay"


class PaymentProviderNotConfigured(NotFound):
    message = "This server takes no payments through that provider"
