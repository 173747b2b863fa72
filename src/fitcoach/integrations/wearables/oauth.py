"""OAuth 2 with the wearable providers (Authlib): the authorization URL a customer is sent
to, the code exchanged for tokens, and a refresh when the access token has expired. The
`state` is the customer's id and an expiry, MAC'd with a key of its own, so a callback is
accepted only for the customer who started it and only for ten minutes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from httpx import HTTPError

from fitcoach.config import Settings
from fitcoach.core.crypto import derive_key, keyed_hash, same_digest
from fitcoach.integrations.wearables.exceptions import (
    InvalidOAuthState,
    OAuthExchangeFailed,
    ProviderNotConnectable,
)
from fitcoach.integrations.wearables.signatures import WearableProvider

STATE_TTL = timedelta(minutes=10)
_SCOPES = {
    WearableProvider.FITBIT: "activity heartrate sleep weight",
    WearableProvider.OURA: "daily heartrate personal",
    WearableProvider.WHOOP: "read:workout read:sleep read:recovery offline",
}
_TOKEN_PATHS = {
    WearableProvider.FITBIT: "/oauth2/token",
    WearableProvider.OURA: "/oauth/token",
    WearableProvider.WHOOP: "/oauth/oauth2/token",
}


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    # The provider's id of the customer, when the token answer carries it (Fitbit's user_id).
    external_user_id: str | None


@dataclass(frozen=True)
class OAuthApp:
    provider: WearableProvider
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str


def oauth_app(settings: Settings, provider: WearableProvider) -> OAuthApp:
    configured = {
        WearableProvider.FITBIT: (
            settings.fitbit_client_id,
            settings.fitbit_client_secret,
            settings.fitbit_authorize_url,
            settings.fitbit_api_url,
        ),
        WearableProvider.OURA: (
            settings.oura_client_id,
            settings.oura_client_secret,
            settings.oura_authorize_url,
            settings.oura_api_url,
        ),
        WearableProvider.WHOOP: (
            settings.whoop_client_id,
            settings.whoop_client_secret,
            settings.whoop_authorize_url,
            settings.whoop_api_url,
        ),
    }.get(provider)
    if configured is None:
        raise ProviderNotConnectable()
    client_id, secret, authorize_url, api_url = configured
    if client_id is None or secret is None:
        raise ProviderNotConnectable()
    token_url = api_url + _TOKEN_PATHS[provider]
    return OAuthApp(provider, client_id, secret.get_secret_value(), authorize_url, token_url)


def _client(app: OAuthApp, settings: Settings) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret,
        scope=_SCOPES[app.provider],
        redirect_uri=settings.wearable_redirect_url,
        timeout=settings.wearable_api_timeout_seconds,
    )


def _state_mac(settings: Settings, provider: str, customer_id: str, expires: str) -> str:
    key = derive_key(settings.signing_secret, "wearable-oauth-state")
    return keyed_hash(key, provider, customer_id, expires)


def authorization_url(
    settings: Settings, provider: WearableProvider, customer_id: uuid.UUID, now: datetime
) -> str:
    app = oauth_app(settings, provider)
    expires = str(int((now + STATE_TTL).timestamp()))
    state = f"{expires}.{_state_mac(settings, provider.value, str(customer_id), expires)}"
    url, _ = _client(app, settings).create_authorization_url(app.authorize_url, state=state)
    return str(url)


def check_state(
    settings: Settings,
    provider: WearableProvider,
    customer_id: uuid.UUID,
    state: str,
    now: datetime,
) -> None:
    expires, _, mac = state.partition(".")
    expected = _state_mac(settings, provider.value, str(customer_id), expires)
    if not same_digest(mac, expected) or not expires.isdigit() or int(expires) < now.timestamp():
        raise InvalidOAuthState()


def _tokens(answer: dict[str, Any], now: datetime) -> Tokens:
    """The token answer, its expiry counted on the app's clock (`expires_in`)."""
    expires_in = answer.get("expires_in")
    user_id = answer.get("user_id")
    return Tokens(
        access_token=str(answer["access_token"]),
        refresh_token=answer.get("refresh_token"),
        expires_at=now + timedelta(seconds=float(expires_in)) if expires_in else None,
        external_user_id=str(user_id) if user_id is not None else None,
    )


async def exchange_code(
    settings: Settings, provider: WearableProvider, code: str, now: datetime
) -> Tokens:
    app = oauth_app(settings, provider)
    async with _client(app, settings) as client:
        try:
            answer = await client.fetch_token(
                app.token_url, grant_type="authorization_code", code=code
            )
            return _tokens(dict(answer), now)
        except (OAuthError, HTTPError, KeyError, ValueError) as exc:
            raise OAuthExchangeFailed() from exc


async def refresh(
    settings: Settings, provider: WearableProvider, refresh_token: str, now: datetime
) -> Tokens:
    """New tokens for an expired access token; a refusal raises (the job retries)."""
    app = oauth_app(settings, provider)
    async with _client(app, settings) as client:
        answer = await client.refresh_token(app.token_url, refresh_token=refresh_token)
    return _tokens(dict(answer), now)


def expired(expires_at: datetime | None, now: datetime) -> bool:
    # A minute early, so a token does not expire between this check and its use.
    return expires_at is not None and expires_at - timedelta(minutes=1) <= now
