"""Verifying OpenID Connect ID tokens from Google, Apple and Facebook (Limited Login): the
signature against the provider's published keys (JWKS), then issuer, audience, expiry and, when
the app sent one, the nonce.

Keys are cached per JWKS URL for `jwks_cache_seconds`. A token naming an unknown key id makes
one re-fetch (providers publish new keys before using them), but re-fetches are at least
`jwks_min_refetch_seconds` apart, so a stream of forged key ids can't hammer the provider."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
import structlog

from fitcoach.auth.identifiers import parse_email
from fitcoach.auth.social.exceptions import (
    IdTokenExpired,
    IdTokenNonceMismatch,
    InvalidIdToken,
    SocialProviderUnavailable,
    SocialSignInNotConfigured,
)
from fitcoach.config import Settings
from fitcoach.core.errors import Unprocessable

log = structlog.get_logger("fitcoach.social")

SOCIAL_PROVIDERS = ("google", "apple", "facebook")
DISPLAY_NAMES = {"google": "Google", "apple": "Apple", "facebook": "Facebook"}
ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
# Clock difference tolerated between the provider and us.
LEEWAY = timedelta(seconds=60)


@dataclass(frozen=True)
class SocialIdentity:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    client_ids: tuple[str, ...]
    issuers: tuple[str, ...]
    jwks_url: str

    @property
    def display(self) -> str:
        return DISPLAY_NAMES[self.name]


def provider_config(settings: Settings, provider: str) -> ProviderConfig:
    values = {
        "google": (settings.google_client_ids, settings.google_issuers, settings.google_jwks_url),
        "apple": (settings.apple_client_ids, settings.apple_issuers, settings.apple_jwks_url),
        "facebook": (
            settings.facebook_client_ids,
            settings.facebook_issuers,
            settings.facebook_jwks_url,
        ),
    }[provider]
    return ProviderConfig(provider, tuple(values[0]), tuple(values[1]), values[2])


@dataclass
class _KeySet:
    keys: dict[str, jwt.PyJWK]
    fetched_at: datetime


@dataclass
class JwksCache:
    """Signing keys per JWKS URL. One instance per app; fetches are serialised so a burst of
    logins after a restart makes one request."""

    fetches: int = 0
    _sets: dict[str, _KeySet] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key(
        self, settings: Settings, config: ProviderConfig, kid: str, now: datetime
    ) -> jwt.PyJWK | None:
        async with self._lock:
            cached = self._sets.get(config.jwks_url)
            fresh = cached is not None and now < cached.fetched_at + timedelta(
                seconds=settings.jwks_cache_seconds
            )
            if cached is not None and fresh and kid in cached.keys:
                return cached.keys[kid]
            may_fetch = (
                cached is None
                or not fresh
                or now >= cached.fetched_at + timedelta(seconds=settings.jwks_min_refetch_seconds)
            )
            if may_fetch:
                try:
                    cached = await self._fetch(settings, config, now)
                except SocialProviderUnavailable:
                    if cached is None or kid not in cached.keys:
                        raise
                    # A stale key the provider still signed with beats refusing every login.
                    return cached.keys[kid]
                self._sets[config.jwks_url] = cached
            return cached.keys.get(kid) if cached is not None else None

    async def _fetch(self, settings: Settings, config: ProviderConfig, now: datetime) -> _KeySet:
        self.fetches += 1
        try:
            async with httpx.AsyncClient(timeout=settings.jwks_timeout_seconds) as client:
                response = await client.get(config.jwks_url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jwks_fetch_failed", provider=config.name, error=type(exc).__name__)
            raise SocialProviderUnavailable(config.display) from exc
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(entry, dict) or not entry.get("kid"):
                continue
            try:
                keys[str(entry["kid"])] = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type or algorithm we don't use
        log.info("jwks_fetched", provider=config.name, keys=len(keys))
        return _KeySet(keys=keys, fetched_at=now)


def _nonce_matches(provider: str, sent: str, claimed: object) -> bool:
    if not isinstance(claimed, str):
        return False
    if hmac.compare_digest(sent.encode(), claimed.encode()):
        return True
    # Apple's flow hands Apple the SHA-256 of the app's nonce; the token carries that hash.
    hashed = hashlib.sha256(sent.encode()).hexdigest()
    return provider == "apple" and hmac.compare_digest(hashed.encode(), claimed.encode())


def _verified_email(claims: dict[str, Any]) -> tuple[str | None, bool]:
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw:
        return None, False
    try:
        email = parse_email(raw)
    except Unprocessable:
        return None, False
    verified = claims.get("email_verified")
    return email, verified is True or verified == "true"


async def verify_id_token(
    settings: Settings,
    cache: JwksCache,
    provider: str,
    id_token: str,
    nonce: str | None,
    now: datetime,
) -> SocialIdentity:
    config = provider_config(settings, provider)
    if not config.client_ids:
        raise SocialSignInNotConfigured(config.display)
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise InvalidIdToken() from exc
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALLOWED_ALGORITHMS or not isinstance(kid, str):
        raise InvalidIdToken()
    key = await cache.key(settings, config, kid, now)
    if key is None:
        raise InvalidIdToken()
    try:
        # Time claims are checked below against the injected clock, not PyJWT's wall clock.
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key.key,
            algorithms=[algorithm],
            audience=list(config.client_ids),
            issuer=list(config.issuers),
            options={
                "require": ["iss", "aud", "sub", "exp"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        expires_at = datetime.fromtimestamp(float(claims["exp"]), tz=now.tzinfo)
        not_before = claims.get("nbf")
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidIdToken() from exc
    if expires_at + LEEWAY <= now:
        raise IdTokenExpired()
    if not_before is not None and (
        datetime.fromtimestamp(float(not_before), tz=now.tzinfo) - LEEWAY > now
    ):
        raise InvalidIdToken()
    if nonce is not None and not _nonce_matches(provider, nonce, claims.get("nonce")):
        raise IdTokenNonceMismatch()
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise InvalidIdToken()
    email, email_verified = _verified_email(claims)
    name = claims.get("name")
    return SocialIdentity(
        provider=provider,
        subject=subject,
        email=email,
        email_verified=email_verified,
        name=name if isinstance(name, str) else None,
    )
