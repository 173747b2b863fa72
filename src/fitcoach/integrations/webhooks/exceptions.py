"""Why a webhook request was refused."""

from fitcoach.core.errors import Conflict, NotFound, Unprocessable


class WebhookEndpointNotFound(NotFound):
    message = "Webhook endpoint not found"


class WebhookDeliveryNotFound(NotFound):
    message = "Webhook delivery not found"


class UnknownWebhookEventType(Unprocessable):
    message = "Unknown event type: see GET /api/v1/automations/catalog for the event types"


class WebhookUrlRefused(Unprocessable):
    message = "The endpoint URL must be https (plain http only to this machine, outside production)"


class DeliveryInProgress(Conflict):
    message = "This delivery is still being attempted: redeliver it once it has failed or succeeded"
