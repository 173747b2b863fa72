from fitcoach.core.errors import Conflict, NotFound, ServiceUnavailable, Unauthorized, Unprocessable


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
