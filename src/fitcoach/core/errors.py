"""Domain errors carry their HTTP status and client-facing message; one handler shapes them."""

from __future__ import annotations

from typing import ClassVar, Self


class DomainError(Exception):
    status_code: ClassVar[int] = 400
    message: str = "Bad request"
    # Security counters (OTP attempts, refresh-token reuse) and the audit entry of a failed
    # sign-in must survive the failed request that produced them; such errors ask the unit of
    # work to commit instead of rolling back. Set on the class, or on one raised instance.
    commit_on_raise: bool = False

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
