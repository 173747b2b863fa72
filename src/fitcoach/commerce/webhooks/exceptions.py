from __future__ import annotations

from fitcoach.core.errors import BadRequest


class MalformedPaymentWebhook(BadRequest):
    code = "malformed_payment_webhook"
    message = "The webhook body is not a provider event: JSON with id, type and data.object"
