"""Why a request's credentials were refused."""

from fitcoach.core.errors import Forbidden, Unauthorized


class AccountBlocked(Forbidden):
    message = "Account is blocked"


class InvalidAccessToken(Unauthorized):
    message = "Invalid access token"


class AccessTokenExpired(Unauthorized):
    message = "Access token has expired"


class SessionEnded(Unauthorized):
    message = "Session has ended, please log in again"


class InvalidApiKey(Unauthorized):
    message = "Invalid API key: it is unknown, revoked or replaced"


class ApiKeyScopeMissing(Forbidden):
    message = "This API key does not hold the scope this endpoint needs"


class ApiKeyNotAccepted(Forbidden):
    message = "API keys are not accepted on this endpoint: sign in as a user"
