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
