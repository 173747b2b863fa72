from fitcoach.core.errors import Unauthorized


class InvalidRefreshToken(Unauthorized):
    message = "Invalid or expired refresh token"


class RefreshTokenReused(Unauthorized):
    message = "Refresh token has already been used; please log in again"
    # The family's revocation must be committed although the request fails.
    commit_on_raise = True
