from fitcoach.kit.errors import Forbidden, NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    message = "Invalid credentials"


class AccountBlocked(Forbidden):
    message = "Account is blocked"


class AccountNotRegistered(NotFound):
    message = "User not found. Please complete registration with name and other details."


class InvalidAccessToken(Unauthorized):
    message = "Invalid access token"


class AccessTokenExpired(Unauthorized):
    message = "Access token has expired"


class SessionEnded(Unauthorized):
    message = "Session has ended, please log in again"


class InvalidRefreshToken(Unauthorized):
    message = "Invalid or expired refresh token"


class RefreshTokenReused(Unauthorized):
    message = "Refresh token has already been used; please log in again"
    # The family's revocation must be committed although the request fails.
    commit_on_raise = True


class WrongCurrentPassword(Unauthorized):
    message = "Current password is incorrect"
