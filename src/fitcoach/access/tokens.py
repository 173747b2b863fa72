"""Access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from fitcoach.config import Settings
from fitcoach.core.crypto import derive_key, keyed_hash, random_token

_ALGORITHM = "HS256"
_ACCESS = "access"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: datetime


class InvalidAccessToken(Exception):
    pass


class ExpiredAccessToken(InvalidAccessToken):
    pass


def issue_access_token(
    settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> tuple[str, datetime]:
    expires_at = now + timedelta(seconds=settings.access_token_ttl_seconds)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "typ": _ACCESS,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    token = jwt.encode(claims, settings.signing_secret, algorithm=_ALGORITHM)
    return token, expires_at.replace(microsecond=0)


# Verifying a token (base64 checks, JSON, HMAC) costs more than the rest of a cached read, and
# an app sends the same token with every request for its whole life. The verified claims of a
# signed string never change, so each worker keeps the latest ones; expiry is still checked on
# every request against the clock, and revocation is the session lookup's job.
_VERIFIED_TOKENS_CACHED = 8192


@functools.lru_cache(maxsize=_VERIFIED_TOKENS_CACHED)
def _verified_claims(secret: str, token: str) -> AccessClaims:
    """The claims of a token signed with `secret`; raises InvalidAccessToken (never cached)."""
    try:
        # Only HS256 is accepted, which rules out "none" and key-confusion tricks. Time claims are
        # checked against the injected clock by the caller rather than PyJWT's wall clock.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            options={
                "require": ["sub", "sid", "exp", "typ"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        if claims["typ"] != _ACCESS:
            raise InvalidAccessToken()
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            session_id=uuid.UUID(claims["sid"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, OverflowError) as exc:
        raise InvalidAccessToken() from exc


def decode_access_token(settings: Settings, token: str, now: datetime) -> AccessClaims:
    claims = _verified_claims(settings.signing_secret, token)
    if claims.expires_at <= now:
        raise ExpiredAccessToken()
    return claims


def new_refresh_token() -> str:
    return random_token(32)  # 256 bits


def hash_refresh_token(settings: Settings, token: str) -> str:
    return keyed_hash(derive_key(settings.signing_secret, "refresh-token"), token)
