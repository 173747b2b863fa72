from fitcoach.core.errors import (
    BadGateway,
    BadRequest,
    Conflict,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
)


class InvalidCredentials(Unauthorized):
    message = "Invalid credentials"


class AccountNotRegistered(NotFound):
    message = "User not found. Please complete registration with name and other details."


class InvalidRefreshToken(Unauthorized):
    message = "Invalid or expired refresh token"


class RefreshTokenReused(Unauthorized):
    message = "Refresh token has already been used; please log in again"
    # The family's revocation must be committed although the request fails.
    commit_on_raise = True


class WrongCurrentPassword(Unauthorized):
    message = "Current password is incorrect"


class InvalidEmailCode(BadRequest):
    message = "Invalid verification code"
    # A wrong guess must be counted even though the request fails.
    commit_on_raise = True


class EmailCodeExpired(BadRequest):
    message = "Verification code has expired"


class EmailCodeAttemptsExceeded(TooManyRequests):
    message = "Maximum verification attempts exceeded"


class EmailCodeResendTooSoon(TooManyRequests):
    message = "Please wait before requesting a new code"


class EmailNotSent(BadGateway):
    message = "We could not send the email, please try again"


class InvalidIdToken(Unauthorized):
    message = "Invalid ID token"


class IdTokenExpired(Unauthorized):
    message = "ID token has expired"


class IdTokenNonceMismatch(Unauthorized):
    message = "ID token nonce does not match"


class SocialSignInNotConfigured(Unprocessable):
    def __init__(self, provider: str) -> None:
        super().__init__(f"{provider} sign-in is not configured")


class SocialProviderUnavailable(ServiceUnavailable):
    def __init__(self, provider: str) -> None:
        super().__init__(f"Could not reach {provider} to verify the sign-in, please retry shortly")


class SocialAccountNotRegistered(NotFound):
    def __init__(self, provider: str) -> None:
        super().__init__(f"No account is linked to this {provider} sign-in; register first")


class SocialAccountAlreadyRegistered(Conflict):
    def __init__(self, provider: str) -> None:
        super().__init__(f"This {provider} account is already registered; log in instead")


class SocialEmailNotLinkable(Conflict):
    """An account already holds the token's email, and the two can't be proven to be one
    person: linking would let whoever controls either side take over the other."""


class EmailNotVerifiedForLinking(SocialEmailNotLinkable):
    def __init__(self, provider: str) -> None:
        super().__init__(
            "An account with this email already exists but its email is not verified; verify "
            f"the email first, then sign in with {provider} again"
        )


class ProviderEmailNotVerified(SocialEmailNotLinkable):
    def __init__(self, provider: str) -> None:
        super().__init__(
            f"An account with this email already exists and {provider} has not verified the "
            "email, so it cannot be linked; log in with your password instead"
        )
