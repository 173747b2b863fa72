"""Why a wearable webhook was refused."""

from fitcoach.core.errors import BadRequest, NotFound, Unauthorized


class UnknownWearableProvider(BadRequest):
    message = "Wearable-Provider names no provider: use fitbit, oura, whoop or partner"


class WearableProviderNotConfigured(Unauthorized):
    message = "This provider's webhooks are not configured on this server"


class InvalidWebhookSignature(Unauthorized):
    message = "The webhook signature is missing or does not match the body"


class WebhookReplayed(Unauthorized):
    message = "The webhook timestamp is outside the tolerance: refused as a replay"


class InvalidWebhookBody(BadRequest):
    message = "The webhook body is not in the provider's format"


class ProviderNotConnectable(BadRequest):
    message = "This provider connects without OAuth, or is not configured on this server"


class InvalidOAuthState(BadRequest):
    code = "invalid_oauth_state"
    message = "The connection request expired or was not started by you: connect again"


class OAuthExchangeFailed(BadRequest):
    code = "oauth_exchange_failed"
    message = "The provider refused the authorization code: connect again"


class WearableNotConnected(NotFound):
    message = "No connection to this provider"
