"""Who is calling: `CurrentUser` for any signed-in user, `AdminUser` and `StaffUser` for roles.
Every endpoint declares one of these, or is public by design (sign-in, OTP, health). This sits
below every domain with endpoints, so each can declare its callers without importing sign-in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Request, Response
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.base import SecurityBase
from fastapi.security.utils import get_authorization_scheme_param
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
from fitcoach.db.session import READ_ONLY_METHODS, DbSession, read_session_of
from fitcoach.http.openapi import SIGNED_IN, describe_callers
from fitcoach.http.ratelimit import RateLimit
from fitcoach.http.request_context import current_request_context
from fitcoach.models import Actor, User
from fitcoach.models.enums import Role
from fitcoach.users.service import user_service

# Called once per authenticated state-changing request, before its handler runs.
AuthenticatedWriteHook = Callable[[Request], None]

_BEARER_DESCRIPTION = "Access token from login, register or refresh"
_bearer = HTTPBearer(auto_error=False, description=_BEARER_DESCRIPTION)


def _claims_of(request: Request, token: str | None) -> tokens.AccessClaims:
    if not token:
        raise Unauthorized("Authentication required")
    # Every endpoint refuses an API key unless it declares the scope that admits one.
    if looks_like_api_key(token):
        raise ApiKeyNotAccepted()
    settings: Settings = request.app.state.settings
    clock: Clock = request.app.state.clock
    try:
        return tokens.decode_access_token(settings, token, clock.now())
    except tokens.ExpiredAccessToken as exc:
        raise AccessTokenExpired() from exc
    except tokens.InvalidAccessToken as exc:
        raise InvalidAccessToken() from exc


def _access_claims(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> tokens.AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Authentication required")
    return _claims_of(request, credentials.credentials)


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


def _bearer_token(request: Request) -> str | None:
    """What HTTPBearer reads: the token of an `Authorization: Bearer <token>` header."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    return token if scheme.lower() == "bearer" else None


_CALLER_KEY = "fitcoach.caller"


async def _caller(request: Request) -> Principal:
    """The request's caller, read once however many of its dependencies ask (a role check and a
    per-user rate limit on one route): the write hook below must run once per request."""
    state = request.scope["state"]
    known: Principal | None = state.get(_CALLER_KEY)
    if known is not None:
        return known
    claims = _claims_of(request, _bearer_token(request))
    session = read_session_of(request)
    principal = await live_principal(session, claims.user_id, claims.session_id)
    state[_CALLER_KEY] = principal
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


class _BearerCaller(SecurityBase):
    """The signed-in caller as ONE dependency. Every authenticated request resolves it, and each
    dependency FastAPI resolves costs about as much as the cached lookup of the caller itself,
    so it reads the bearer token, the read session and the clock itself instead of declaring
    them. It is a security scheme (the bearer one, by the same name), so the OpenAPI document
    still declares the token on every operation that takes it."""

    def __init__(self, roles: tuple[Role, ...] = (), message: str | None = None) -> None:
        self.model = HTTPBearerModel(description=_BEARER_DESCRIPTION)
        self.scheme_name = "HTTPBearer"
        self.roles = roles
        self.message = message

    async def principal(self, request: Request) -> Principal:
        principal = await _caller(request)
        if self.roles and not any(principal.has_role(role) for role in self.roles):
            raise Forbidden(self.message)
        return principal


class _CurrentPrincipal(_BearerCaller):
    async def __call__(self, request: Request) -> Principal:
        return await self.principal(request)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A safe request's caller with what its handler reads through: the read session and the
    request's moment."""

    user: Principal
    session: AsyncSession
    now: datetime


class _SignedInRead(_BearerCaller):
    async def __call__(self, request: Request) -> SignedIn:
        principal = await self.principal(request)
        clock: Clock = request.app.state.clock
        return SignedIn(principal, read_session_of(request), clock.now())


_current_principal = _CurrentPrincipal()
describe_callers(_current_principal, SIGNED_IN)
CurrentUser = Annotated[Principal, Depends(_current_principal)]
_signed_in_read = _SignedInRead()
describe_callers(_signed_in_read, SIGNED_IN)
# For the hottest reads (GET only): the caller, the read session and now, in one resolution.
SignedInRead = Annotated[SignedIn, Depends(_signed_in_read)]


def signed_in_read(*roles: Role, message: str | None = None) -> object:
    """SignedInRead for callers holding any of `roles`; others get 403 with `message`."""
    dependency = _SignedInRead(roles, message)
    describe_callers(dependency, " or ".join(_plural(role) for role in roles))
    return Depends(dependency)


async def _current_account(principal: CurrentUser, session: DbSession) -> User:
    return await user_service.get(session, principal.id)


# The caller's own account as a loaded row, for the endpoints that change it (password, MFA).
CurrentAccount = Annotated[User, Depends(_current_account)]


def user_or_api_key(scope: ApiScope) -> Any:
    """A dependency admitting any signed-in user (the endpoint's rules then decide what they
    see) or an API key holding `scope`, counted against the key's own rate limit."""

    async def _user_or_key(
        request: Request,
        response: Response,
        background: BackgroundTasks,
        credentials: BearerCredentials,
    ) -> Actor:
        if credentials is not None and looks_like_api_key(credentials.credentials):
            keyed = KeyedRequest(request, response, background, read_session_of(request))
            return await authenticate_api_key(keyed, credentials.credentials, scope)
        return await _current_principal(request)

    describe_callers(
        _user_or_key, f"any signed-in user, or an API key with the `{scope.value}` scope"
    )
    return Depends(_user_or_key)


# A customer's profile: themself, their coaches, admins, or a key that reads customers.
CustomerReader = Annotated[Actor, user_or_api_key(ApiScope.CUSTOMERS_READ)]


def admin_or_api_key(scope: ApiScope) -> Any:
    """A dependency admitting admins or an API key holding `scope` (a key acts for the
    business, as an admin would); any other signed-in user gets 403."""

    async def _admin_or_key(
        request: Request,
        response: Response,
        background: BackgroundTasks,
        credentials: BearerCredentials,
    ) -> Actor:
        if credentials is not None and looks_like_api_key(credentials.credentials):
            keyed = KeyedRequest(request, response, background, read_session_of(request))
            return await authenticate_api_key(keyed, credentials.credentials, scope)
        return await _admin_principal.principal(request)

    describe_callers(_admin_or_key, f"admins, or an API key with the `{scope.value}` scope")
    return Depends(_admin_or_key)


_admin_principal = _CurrentPrincipal((Role.ADMIN,))


def user_rate_limit(scope: str, limit: str) -> Any:
    """The rate limit of a bearer route: a sub-dependency of authentication, so it counts only
    once the caller is known (an anonymous client gets its 401 without touching any bucket),
    and per user, so one user cannot use up another's budget behind a shared address."""
    rate_limit = RateLimit(scope, limit)

    async def _count(request: Request, response: Response, principal: CurrentUser) -> None:
        await rate_limit.hit(request, response, f"user:{principal.id}")

    return Depends(_count)


def require_role(*roles: Role, message: str | None = None) -> object:
    """A dependency admitting users holding any of `roles`; others get 403 with `message`. One
    resolution, like CurrentUser: the role check is part of reading the caller."""
    dependency = _CurrentPrincipal(roles, message)
    describe_callers(dependency, " or ".join(_plural(role) for role in roles))
    return Depends(dependency)


def _plural(role: Role) -> str:
    name = role.value.lower()
    return f"{name}es" if name.endswith(("ch", "sh", "s")) else f"{name}s"


AdminUser = Annotated[Principal, require_role(Role.ADMIN)]
StaffUser = Annotated[Principal, require_role(Role.ADMIN, Role.COACH)]
