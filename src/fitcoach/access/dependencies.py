"""Who is calling: `CurrentUser` for any signed-in user, `AdminUser` and `StaffUser` for roles.
Every endpoint declares one of these, or is public by design (sign-in, OTP, health). This sits
below every domain with endpoints, so each can declare its callers without importing sign-in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access import tokens
from fitcoach.access.api_keys import (
    ApiScope,
    KeyedRequest,
    authenticate_api_key,
    looks_like_api_key,
)
from fitcoach.access.exceptions import (
    AccessTokenExpired,
    AccountBlocked,
    ApiKeyNotAccepted,
    InvalidAccessToken,
    SessionEnded,
)
from fitcoach.access.principal import Principal
from fitcoach.access.repository import caller_repository
from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.core.errors import Forbidden, Unauthorized
from fitcoach.db.session import READ_ONLY_METHODS, DbSession, ReadSession
from fitcoach.http.openapi import SIGNED_IN, describe_callers
from fitcoach.http.ratelimit import RateLimit
from fitcoach.http.request_context import current_request_context
from fitcoach.models import Actor, User
from fitcoach.models.enums import Role
from fitcoach.users.service import user_service

# Called once per authenticated state-changing request, before its handler runs.
AuthenticatedWriteHook = Callable[[Request], None]

_bearer = HTTPBearer(auto_error=False, description="Access token from login, register or refresh")


def _access_claims(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> tokens.AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Authentication required")
    # Every endpoint refuses an API key unless it declares the scope that admits one.
    if looks_like_api_key(credentials.credentials):
        raise ApiKeyNotAccepted()
    settings: Settings = request.app.state.settings
    clock: Clock = request.app.state.clock
    try:
        return tokens.decode_access_token(settings, credentials.credentials, clock.now())
    except tokens.ExpiredAccessToken as exc:
        raise AccessTokenExpired() from exc
    except tokens.InvalidAccessToken as exc:
        raise InvalidAccessToken() from exc


async def _verified_claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> tokens.AccessClaims:
    return _access_claims(request, credentials)


AccessClaimsDep = Annotated[tokens.AccessClaims, Depends(_verified_claims)]


BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def live_principal(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
) -> Principal:
    """The user of a live sign-in session; 401/403 once it has ended or the user is blocked."""
    found = await caller_repository.principal(session, user_id, session_id)
    if found is None:
        raise SessionEnded()
    principal, session_live = found
    # Blocking also ends every session; saying "blocked" tells the app not to offer a new login.
    if principal.is_blocked:
        raise AccountBlocked()
    if not session_live:
        raise SessionEnded()
    return principal


def authenticate_bearer(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> tokens.AccessClaims:
    """The verified claims of the request's access token (for endpoints with a second way in)."""
    return _access_claims(request, credentials)


# Every authenticated request runs this, so it asks FastAPI for as little as it can: each
# dependency it would declare costs as much to resolve as the cached lookup of the caller.
async def _current_principal(
    request: Request,
    session: ReadSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    claims = _access_claims(request, credentials)
    principal = await live_principal(session, claims.user_id, claims.session_id)
    context = current_request_context()
    if context is not None:
        context.actor_id = principal.id
        context.actor_roles = tuple(role.value for role in principal.roles)
    if request.method not in READ_ONLY_METHODS:
        # The handler's work runs in its own transaction: hand this connection back now.
        await session.close()
        # Every change an authenticated actor makes is audited; create_app wires the audit
        # trail's fallback here, so this layer does not depend on the trail's domain.
        on_write: AuthenticatedWriteHook = request.app.state.on_authenticated_write
        on_write(request)
    return principal


describe_callers(_current_principal, SIGNED_IN)
CurrentUser = Annotated[Principal, Depends(_current_principal)]


async def _current_account(principal: CurrentUser, session: DbSession) -> User:
    return await user_service.get(session, principal.id)


# The caller's own account as a loaded row, for the endpoints that change it (password, MFA).
CurrentAccount = Annotated[User, Depends(_current_account)]


def user_or_api_key(scope: ApiScope) -> Any:
    """A dependency admitting any signed-in user (the endpoint's rules then decide what they
    see) or an API key holding `scope`, counted against the key's own rate limit."""

    async def _caller(
        request: Request,
        response: Response,
        background: BackgroundTasks,
        session: ReadSession,
        credentials: BearerCredentials,
    ) -> Actor:
        if credentials is not None and looks_like_api_key(credentials.credentials):
            keyed = KeyedRequest(request, response, background, session)
            return await authenticate_api_key(keyed, credentials.credentials, scope)
        return await _current_principal(request, session, credentials)

    describe_callers(_caller, f"any signed-in user, or an API key with the `{scope.value}` scope")
    return Depends(_caller)


# A customer's profile: themself, their coaches, admins, or a key that reads customers.
CustomerReader = Annotated[Actor, user_or_api_key(ApiScope.CUSTOMERS_READ)]


def user_rate_limit(scope: str, limit: str) -> Any:
    """The rate limit of a bearer route: a sub-dependency of authentication, so it counts only
    once the caller is known (an anonymous client gets its 401 without touching any bucket),
    and per user, so one user cannot use up another's budget behind a shared address."""
    rate_limit = RateLimit(scope, limit)

    async def _count(request: Request, response: Response, principal: CurrentUser) -> None:
        await rate_limit.hit(request, response, f"user:{principal.id}")

    return Depends(_count)


def require_role(*roles: Role, message: str | None = None) -> object:
    """A dependency admitting users holding any of `roles`; others get 403 with `message`."""

    async def _check(user: CurrentUser) -> Principal:
        if not any(user.has_role(role) for role in roles):
            raise Forbidden(message)
        return user

    describe_callers(_check, " or ".join(_plural(role) for role in roles))
    return Depends(_check)


def _plural(role: Role) -> str:
    name = role.value.lower()
    return f"{name}es" if name.endswith(("ch", "sh", "s")) else f"{name}s"


AdminUser = Annotated[Principal, require_role(Role.ADMIN)]
StaffUser = Annotated[Principal, require_role(Role.ADMIN, Role.COACH)]
