"""Access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from fitcoach.config import Settings
from fitcoach.kit.crypto import derive_key, keyed_hash, random_token

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


def decode_access_token(settings: Settings, token: str, now: datetime) -> AccessClaims:
    try:
        # Only HS256 is accepted, which rules out "none" and key-confusion tricks. Time claims are
        # checked against the injected clock below rather than PyJWT's wall clock.
        claims = jwt.decode(
            token,
            settings.signing_secret,
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
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
        user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise InvalidAccessToken() from exc
    if expires_at <= now:
        raise ExpiredAccessToken()
    return AccessClaims(user_id=user_id, session_id=session_id, expires_at=expires_at)


def new_refresh_token() -> str:
    return random_token(32)  # 256 bits


def hash_refresh_token(settings: Settings, token: str) -> str:
    return keyed_hash(derive_key(settings.signing_secret, "refresh-token"), token)
