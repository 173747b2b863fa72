"""Domain errors carry their HTTP status, client-facing message and machine-readable code; one
handler shapes them."""

from __future__ import annotations

import re
from typing import ClassVar, Self

_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """`OtpExpired` -> `otp_expired`, `MFAError` -> `mfa_error`."""
    return _WORD_START.sub("_", name).lower()


class DomainError(Exception):
    status_code: ClassVar[int] = 400
    message: str = "Bad request"
    # What a client branches on: stable once published, unlike the message. Derived from the
    # class name unless the class sets its own (a subclass inherits nothing: each class that
    # does not set one gets the code of its own name).
    code: ClassVar[str] = "bad_request"
    # Security counters (OTP attempts, refresh-token reuse) and the audit entry of a failed
    # sign-in must survive the failed request that produced them; such errors ask the unit of
    # work to commit instead of rolling back. Set on the class, or on one raised instance.
    commit_on_raise: bool = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = snake_case(cls.__name__)

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None):
        if message is not None:
            self.message = message
        self.headers = headers or {}
        super().__init__(self.message)

    def with_headers(self, headers: dict[str, str]) -> Self:
        self.headers.update(headers)
        return self


class BadRequest(DomainError):
    status_code = 400


class Unauthorized(DomainError):
    status_code = 401
    message = "Authentication required"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    status_code = 403
    message = "You do not have permission to perform this action"


class NotFound(DomainError):
    status_code = 404
    message = "Not found"


class Conflict(DomainError):
    status_code = 409


class Unprocessable(DomainError):
    status_code = 422


class TooManyRequests(DomainError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests, please try again later"

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(max(retry_after, 1))} if retry_after is not None else None
        super().__init__(message, headers=headers)


class BadGateway(DomainError):
    status_code = 502


class ServiceUnavailable(DomainError):
    status_code = 503
    message = "Service temporarily unavailable, please retry shortly"

    def __init__(self, message: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
