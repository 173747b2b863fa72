"""API keys, as the access layer sees them: their format, their scopes, and authenticating a
request that presents one. A key is `fck_` and twelve hex digits (its public prefix, which finds
its row), an underscore, then 32 random bytes; only a keyed hash of the secret is stored. The
integrations domain issues, lists, rotates and revokes keys with what this module spells."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from secrets import token_hex

from fastapi import BackgroundTasks, Request, Response
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.access.exceptions import ApiKeyScopeMissing, InvalidApiKey
from fitcoach.access.repository import StoredApiKey, caller_repository
from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.core.crypto import derive_key, keyed_hash, random_token, same_digest
from fitcoach.http.ratelimit import RateLimit
from fitcoach.http.request_context import current_request_context
from fitcoach.models import ApiKey
from fitcoach.models.enums import Role

API_KEY_PREFIX = "fck_"
_PREFIX_LENGTH = len(API_KEY_PREFIX) + 12
_SECRET_BYTES = 32
# "Last used" is written at most this often per key (and per worker), never per request.
LAST_USED_EVERY = timedelta(minutes=1)


class ApiScope(StrEnum):
    """What a key may do; each endpoint that admits keys names the one scope it needs."""

    CUSTOMERS_READ = "customers:read"
    SESSIONS_WRITE = "sessions:write"
    ANALYTICS_READ = "analytics:read"
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(frozen=True, slots=True)
class ApiKeyCaller:
    """The caller of a request made with an API key: the business's integration, reading as
    the business does (an admin's view) but only where its scopes admit it."""

    id: uuid.UUID
    name: str
    scopes: frozenset[str]
    roles: tuple[Role, ...] = (Role.ADMIN,)

    def has_role(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class IssuedSecret:
    """A new key as handed to its owner once (`key`), and what is stored of it."""

    prefix: str
    key: str
    secret_hash: str


@dataclass
class LastUsedMemo:
    """This worker's record of when it last wrote each key's `last_used_at`."""

    written: dict[uuid.UUID, datetime] = field(default_factory=dict)


def looks_like_api_key(credential: str) -> bool:
    return credential.startswith(API_KEY_PREFIX)


def issue_secret(settings: Settings, prefix: str | None = None) -> IssuedSecret:
    """A fresh secret under `prefix` (a new prefix unless given: a rotation keeps its key's)."""
    prefix = prefix or f"{API_KEY_PREFIX}{token_hex(6)}"
    secret = random_token(_SECRET_BYTES)
    return IssuedSecret(prefix, f"{prefix}_{secret}", _secret_hash(settings, prefix, secret))


def _secret_hash(settings: Settings, prefix: str, secret: str) -> str:
    return keyed_hash(derive_key(settings.signing_secret, "api-key"), prefix, secret)


def _split(key: str) -> tuple[str, str] | None:
    prefix, separator, secret = (
        key[:_PREFIX_LENGTH],
        key[_PREFIX_LENGTH : _PREFIX_LENGTH + 1],
        key[_PREFIX_LENGTH + 1 :],
    )
    if separator != "_" or not secret or not looks_like_api_key(prefix):
        return None
    return prefix, secret


def _accepts(stored: StoredApiKey, presented_hash: str, now: datetime) -> bool:
    if stored.revoked_at is not None:
        return False
    if same_digest(stored.secret_hash, presented_hash):
        return True
    return (
        stored.previous_secret_hash is not None
        and stored.previous_valid_until is not None
        and now < stored.previous_valid_until
        and same_digest(stored.previous_secret_hash, presented_hash)
    )


@lru_cache(maxsize=256)
def _per_minute(requests: int) -> RateLimit:
    return RateLimit("api-key", f"{requests}/minute")


@dataclass(frozen=True)
class KeyedRequest:
    """A request that presented an API key, with what answering it needs."""

    request: Request
    response: Response
    background: BackgroundTasks
    session: AsyncSession


async def authenticate_api_key(call: KeyedRequest, key: str, scope: ApiScope) -> ApiKeyCaller:
    """The key's caller if the key is live and holds `scope`; counts the request against the
    key's own rate limit (shared by every worker through the limiter's storage)."""
    state = call.request.app.state
    settings: Settings = state.settings
    clock: Clock = state.clock
    now = clock.now()
    parts = _split(key)
    if parts is None:
        raise InvalidApiKey()
    prefix, secret = parts
    stored = await caller_repository.api_key(call.session, prefix)
    if stored is None or not _accepts(stored, _secret_hash(settings, prefix, secret), now):
        raise InvalidApiKey()
    if scope.value not in stored.scopes:
        raise ApiKeyScopeMissing(f"This API key does not hold the `{scope.value}` scope")
    await _per_minute(stored.rate_limit).hit(call.request, call.response, f"api-key:{stored.id}")
    _note_use(call, stored, now)
    context = current_request_context()
    if context is not None:
        context.actor_id = stored.id
        context.actor_roles = ("api_key",)
    return ApiKeyCaller(id=stored.id, name=stored.name, scopes=frozenset(stored.scopes))


def _note_use(call: KeyedRequest, stored: StoredApiKey, now: datetime) -> None:
    """Schedule the write of `last_used_at` after the answer, if this key's was not written in
    the last minute (by any worker, as the row says, or by this one)."""
    memo: LastUsedMemo = call.request.app.state.api_key_last_used
    last = max(
        (moment for moment in (stored.last_used_at, memo.written.get(stored.id)) if moment),
        default=None,
    )
    if last is not None and now - last < LAST_USED_EVERY:
        return
    memo.written[stored.id] = now
    call.background.add_task(_record_last_used, call.request.app.state.sessionmaker, stored.id, now)


async def _record_last_used(
    sessionmaker: async_sessionmaker[AsyncSession], key_id: uuid.UUID, now: datetime
) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key_id,
                or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_EVERY),
            )
            .values(last_used_at=now)
        )
