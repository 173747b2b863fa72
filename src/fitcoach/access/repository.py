"""The one query every authenticated request runs: the caller and their session's liveness
(or, for a request made with an API key, the key found by its prefix)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access.principal import Principal
from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.models import ApiKey, AuthSession, User, UserRole
from fitcoach.models.enums import Role

# The users columns a Principal copies: all its fields but what the query adds (the session it
# was asked for, the joined roles), so the two cannot drift apart.
_PRINCIPAL_USER_COLUMNS = tuple(
    field.name for field in fields(Principal) if field.name not in {"session_id", "roles"}
)


_principal_users = User.__table__
_principal_sessions = AuthSession.__table__
_principal_roles = UserRole.__table__
# Built once: this runs on every authenticated request, and building a statement costs as much
# as running it. One row per role (an outer join, so a user without roles still comes back).
_PRINCIPAL_QUERY = (
    select(
        *(_principal_users.c[name] for name in _PRINCIPAL_USER_COLUMNS),
        _principal_sessions.c.revoked_at,
        _principal_roles.c.role,
    )
    .join(_principal_sessions, _principal_sessions.c.user_id == _principal_users.c.id)
    .outerjoin(_principal_roles, _principal_roles.c.user_id == _principal_users.c.id)
    .where(
        _principal_users.c.id == bindparam("user_id"),
        _principal_sessions.c.id == bindparam("session_id"),
    )
)


# The caller of safe requests, between changes of the account, its roles or its sessions.
CALLERS: CachedRead[tuple[Principal, bool] | None] = CachedRead(
    "callers",
    topic=topics.USER,
    tables=(User.__tablename__, UserRole.__tablename__, AuthSession.__tablename__),
    max_groups=50_000,
)


@dataclass(frozen=True, slots=True)
class StoredApiKey:
    id: uuid.UUID
    name: str
    secret_hash: str
    previous_secret_hash: str | None
    previous_valid_until: datetime | None
    scopes: tuple[str, ...]
    rate_limit: int
    last_used_at: datetime | None
    revoked_at: datetime | None


_api_keys = ApiKey.__table__
_API_KEY_QUERY = select(*(_api_keys.c[field.name] for field in fields(StoredApiKey))).where(
    _api_keys.c.prefix == bindparam("prefix")
)


# API keys by their public prefix, between changes of the key's row (a rotation, a revocation,
# the once-a-minute "last used" write): an API-key read then costs what a JWT read does.
API_KEYS: CachedRead[StoredApiKey | None] = CachedRead(
    "api_keys",
    topic=topics.API_KEY,
    tables=(ApiKey.__tablename__,),
    max_groups=10_000,
    max_keys_per_group=1,
)


class CallerRepository:
    async def principal(
        self, session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[Principal, bool] | None:
        """The access token's user and whether its session is still live, in one round trip,
        so logout, password changes, blocks and role changes act on the very next request."""

        async def load() -> tuple[Principal, bool] | None:
            connection = await session.connection()
            rows = (
                await connection.execute(
                    _PRINCIPAL_QUERY, {"user_id": user_id, "session_id": session_id}
                )
            ).all()
            if not rows:
                return None
            first = rows[0]
            principal = Principal(
                id=first.id,
                session_id=session_id,
                roles=tuple(sorted(Role(row.role) for row in rows if row.role is not None)),
                **{name: getattr(first, name) for name in _PRINCIPAL_USER_COLUMNS if name != "id"},
            )
            return principal, first.revoked_at is None

        return await CALLERS.read(session, str(user_id), session_id, load)

    async def api_key(self, session: AsyncSession, prefix: str) -> StoredApiKey | None:
        async def load() -> StoredApiKey | None:
            connection = await session.connection()
            row = (await connection.execute(_API_KEY_QUERY, {"prefix": prefix})).first()
            if row is None:
                return None
            values = row._asdict()
            return StoredApiKey(**{**values, "scopes": tuple(values["scopes"])})

        return await API_KEYS.read(session, prefix, None, load)


caller_repository = CallerRepository()
