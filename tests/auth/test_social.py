"""Social sign-in with Google, Apple and Facebook ID tokens, verified for real: a local HTTP
server publishes a JWKS of keys made here, and tokens are signed with PyJWT."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import User, UserIdentity
from tests.audit.trail import entries, only
from tests.factories import Factory, assert_error, enable_mfa

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
GOOGLE_CLIENT = "web-client.apps.googleusercontent.com"
APPLE_CLIENT = "com.example.fitcoach"
FACEBOOK_APP = "1234567890"
ISSUERS = {
    "google": "https://accounts.google.com",
    "apple": "https://appleid.apple.com",
    "facebook": "https://www.facebook.com",
}
AUDIENCES = {"google": GOOGLE_CLIENT, "apple": APPLE_CLIENT, "facebook": FACEBOOK_APP}

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class Jwks:
    """A provider's key endpoint: publishes the public half of `published` keys."""

    server: ThreadingHTTPServer
    keys: dict[str, PrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/jwks"

    def add_key(self, kid: str, *, publish: bool = True, ec_key: bool = False) -> None:
        self.keys[kid] = (
            ec.generate_private_key(ec.SECP256R1())
            if ec_key
            else rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )
        if publish:
            self.published.append(kid)

    def document(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            private = self.keys[kid]
            if isinstance(private, rsa.RSAPrivateKey):
                jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
                jwk["alg"] = "RS256"
            else:
                jwk = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
                jwk["alg"] = "ES256"
            keys.append({**jwk, "kid": kid, "use": "sig"})
        return {"keys": keys}


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stand_in.requests += 1
            payload = json.dumps(stand_in.document()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in = Jwks(server)
    stand_in.add_key("key-1")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def settings_overrides(jwks: Jwks) -> dict[str, object]:
    return {
        "google_client_ids": f"other-client, {GOOGLE_CLIENT}",
        "google_jwks_url": jwks.url,
        "apple_client_ids": APPLE_CLIENT,
        "apple_jwks_url": jwks.url,
        "facebook_client_ids": FACEBOOK_APP,
        "facebook_jwks_url": jwks.url,
        "rate_limit_enabled": False,
    }


def id_token(
    jwks: Jwks,
    clock: FrozenClock,
    provider: str = "google",
    *,
    kid: str = "key-1",
    algorithm: str = "RS256",
    signing_key: PrivateKey | None = None,
    **claims: Any,
) -> str:
    now = int(clock.now().timestamp())
    body: dict[str, Any] = {
        "iss": ISSUERS[provider],
        "aud": AUDIENCES[provider],
        "sub": "subject-1",
        "iat": now,
        "exp": now + 3600,
        "email": "social.person@example.com",
        "email_verified": True,
        "name": "Social Person",
    }
    body.update(claims)
    body = {key: value for key, value in body.items() if value is not None}
    key = signing_key or jwks.keys[kid]
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})


async def _social(
    client: httpx.AsyncClient, token: str, provider: str = "google", path: str = LOGIN, **extra: Any
) -> httpx.Response:
    return await client.post(path, json={"provider": provider, "idToken": token, **extra})


async def _identities(app: FastAPI) -> list[UserIdentity]:
    async with app.state.sessionmaker() as session:
        return list((await session.execute(select(UserIdentity))).scalars())


async def test_first_login_creates_the_account_then_signs_in(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock, app: FastAPI
) -> None:
    first = await _social(client, id_token(jwks, clock))
    assert first.status_code == 200, first.text
    user = first.json()["data"]["user"]
    assert (user["email"], user["emailVerified"], user["name"]) == (
        "social.person@example.com",
        True,
        "Social Person",
    )
    assert first.json()["data"]["accessToken"]["token"]
    again = await _social(client, id_token(jwks, clock))
    assert again.json()["data"]["user"]["id"] == user["id"]
    [identity] = await _identities(app)
    assert (identity.provider, identity.subject) == ("google", "subject-1")
    assert (await only(app, "user.registered")).details == {"method": "google"}
    assert len(await entries(app, "auth.login.succeeded")) == 2


async def test_register_with_a_social_token(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock
) -> None:
    token = id_token(jwks, clock, "facebook", sub="fb-1", email_verified=None)
    registered = await _social(
        client, token, "facebook", REGISTER, metadata={"name": "Face Book User", "age": 40}
    )
    assert registered.status_code == 201, registered.text
    user = registered.json()["data"]["user"]
    assert (user["name"], user["age"], user["emailVerified"]) == ("Face Book User", 40, False)
    assert_error(
        await _social(client, token, "facebook", REGISTER),
        409,
        "This Facebook account is already registered; log in instead",
    )


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": -1}, "ID token has expired"),
        ({"aud": "someone-elses-client"}, "Invalid ID token"),
        ({"iss": "https://evil.example.com"}, "Invalid ID token"),
        ({"sub": None}, "Invalid ID token"),
    ],
)
async def test_bad_claims_are_refused(
    client: httpx.AsyncClient,
    jwks: Jwks,
    clock: FrozenClock,
    app: FastAPI,
    claims: dict[str, Any],
    message: str,
) -> None:
    if claims.get("exp") == -1:
        claims = {"exp": int(clock.now().timestamp()) - 61}
    assert_error(await _social(client, id_token(jwks, clock, **claims)), 401, message)
    failed = await only(app, "auth.login.failed")
    assert failed.details == {"method": "google", "identifier": "google", "reason": message}
    assert await _identities(app) == []


async def test_google_issuer_without_scheme_is_accepted(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock
) -> None:
    response = await _social(client, id_token(jwks, clock, iss="accounts.google.com"))
    assert response.status_code == 200, response.text


async def test_bad_signatures_and_algorithms_are_refused(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock
) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_error(
        await _social(client, id_token(jwks, clock, signing_key=impostor)), 401, "Invalid ID token"
    )
    hs256 = jwt.encode(
        {"iss": ISSUERS["google"], "aud": GOOGLE_CLIENT, "sub": "x", "exp": 2**31},
        "shared-secret-long-enough-for-hmac-sha256-0123456789",
        algorithm="HS256",
        headers={"kid": "key-1"},
    )
    assert_error(await _social(client, hs256), 401, "Invalid ID token")
    assert_error(await _social(client, "not.a.jwt"), 401, "Invalid ID token")


async def test_es256_keys_work(client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock) -> None:
    jwks.add_key("ec-key", ec_key=True)
    token = id_token(jwks, clock, "apple", kid="ec-key", algorithm="ES256", email_verified="true")
    response = await _social(client, token, "apple")
    assert response.status_code == 200, response.text
    assert response.json()["data"]["user"]["emailVerified"] is True


async def test_an_unknown_key_id_refetches_the_keys_at_most_so_often(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock
) -> None:
    assert (await _social(client, id_token(jwks, clock))).status_code == 200
    assert jwks.requests == 1
    assert (await _social(client, id_token(jwks, clock))).status_code == 200
    assert jwks.requests == 1  # cached
    clock.advance(seconds=31)
    jwks.add_key("key-2")  # the provider rotates in a new key
    assert (await _social(client, id_token(jwks, clock, kid="key-2"))).status_code == 200
    assert jwks.requests == 2
    jwks.add_key("unpublished", publish=False)
    forged = id_token(jwks, clock, kid="unpublished")
    assert_error(await _social(client, forged), 401, "Invalid ID token")
    assert jwks.requests == 2  # refetched too recently to refetch again
    clock.advance(seconds=30)
    assert_error(await _social(client, forged), 401, "Invalid ID token")
    assert jwks.requests == 3  # refetched, and the key id is still unknown


async def test_nonce(client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock) -> None:
    token = id_token(jwks, clock, nonce="n-123")
    assert (await _social(client, token, nonce="n-123")).status_code == 200
    assert_error(await _social(client, token, nonce="n-456"), 401, "ID token nonce does not match")
    assert_error(
        await _social(client, id_token(jwks, clock), nonce="n-123"),
        401,
        "ID token nonce does not match",
    )
    hashed = hashlib.sha256(b"n-789").hexdigest()
    apple = id_token(jwks, clock, "apple", sub="apple-1", nonce=hashed, email="a@example.com")
    assert (await _social(client, apple, "apple", nonce="n-789")).status_code == 200
    # Only Apple hashes the nonce.
    google = id_token(jwks, clock, sub="google-2", nonce=hashed, email="g2@example.com")
    assert_error(await _social(client, google, nonce="n-789"), 401, "ID token nonce does not match")


async def test_auto_register_off(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock, app: FastAPI
) -> None:
    app.state.settings.social_auto_register = False
    token = id_token(jwks, clock)
    assert_error(
        await _social(client, token),
        404,
        "No account is linked to this Google sign-in; register first",
    )
    assert (await _social(client, token, path=REGISTER)).status_code == 201
    assert (await _social(client, token)).status_code == 200


async def test_a_provider_without_client_ids_is_not_configured(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock, app: FastAPI
) -> None:
    app.state.settings.facebook_client_ids = []
    assert_error(
        await _social(client, id_token(jwks, clock, "facebook"), "facebook"),
        422,
        "Facebook sign-in is not configured",
    )
    assert_error(
        await _social(client, id_token(jwks, clock, "facebook"), "facebook", REGISTER),
        422,
        "Facebook sign-in is not configured",
    )


async def test_an_unreachable_jwks_is_503(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock, app: FastAPI
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.state.settings.google_jwks_url = f"http://127.0.0.1:{closed_port}/jwks"
    assert_error(
        await _social(client, id_token(jwks, clock)),
        503,
        "Could not reach Google to verify the sign-in, please retry shortly",
    )


async def test_linking_by_email_needs_both_sides_verified(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock, app: FastAPI, factory: Factory
) -> None:
    account = await factory.customer(email="social.person@example.com")
    assert_error(
        await _social(client, id_token(jwks, clock)),
        409,
        "An account with this email already exists but its email is not verified; verify the "
        "email first, then sign in with Google again",
    )
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get(User, account.id)
        assert user is not None
        user.email_verified = True
    assert_error(
        await _social(client, id_token(jwks, clock, email_verified=False)),
        409,
        "An account with this email already exists and Google has not verified the email, so "
        "it cannot be linked; log in with your password instead",
    )
    linked = await _social(client, id_token(jwks, clock))
    assert linked.status_code == 200, linked.text
    assert linked.json()["data"]["user"]["id"] == account.user_id
    assert (await only(app, "auth.identity.linked")).resource_id == account.user_id
    # Once linked, the identity signs in whatever the token's email says now.
    later = await _social(client, id_token(jwks, clock, email="changed@example.com"))
    assert later.json()["data"]["user"]["id"] == account.user_id


async def test_social_login_of_an_mfa_user_needs_the_second_factor(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock, factory: Factory, app: FastAPI
) -> None:
    first = await _social(client, id_token(jwks, clock))
    data = first.json()["data"]
    headers = {"Authorization": f"Bearer {data['accessToken']['token']}"}
    account = await factory.customer()
    account.headers = headers
    account.id = uuid.UUID(data["user"]["id"])
    device = await enable_mfa(factory, account)
    clock.advance(seconds=30)
    challenged = await _social(client, id_token(jwks, clock))
    assert challenged.status_code == 200, challenged.text
    assert challenged.json()["data"].keys() == {"mfaRequired", "mfaToken"}
    assert challenged.json()["data"]["mfaRequired"] is True
    verified = await client.post(
        "/api/v1/auth/mfa/verify",
        json={"mfaToken": challenged.json()["data"]["mfaToken"], "code": device.code(factory)},
    )
    assert verified.status_code == 200, verified.text
    assert (await entries(app, "auth.login.succeeded"))[-1].details == {"method": "google+totp"}


async def test_a_blocked_user_cannot_sign_in_with_a_provider(
    client: httpx.AsyncClient, jwks: Jwks, clock: FrozenClock, factory: Factory, app: FastAPI
) -> None:
    first = await _social(client, id_token(jwks, clock))
    assert first.status_code == 200, first.text
    admin = await factory.admin(password=None)
    user_id = first.json()["data"]["user"]["id"]
    blocked = await client.post(f"/api/v1/admin/users/{user_id}/block", headers=admin.headers)
    assert blocked.status_code == 200, blocked.text
    assert_error(await _social(client, id_token(jwks, clock)), 403, "Account is blocked")
    failed = await only(app, "auth.login.failed")
    assert failed.details == {
        "method": "google",
        "identifier": "google:subject-1",
        "reason": "Account is blocked",
    }


async def test_social_bodies_are_validated(client: httpx.AsyncClient) -> None:
    assert_error(await client.post(LOGIN, json={"provider": "google"}), 422, "idToken is required")
    assert_error(
        await client.post(LOGIN, json={"provider": "google", "idToken": "x", "password": "p"}),
        422,
        "password is not an accepted field",
    )
    # Any other provider is the legacy form: an email or phone that matches no account.
    assert_error(
        await client.post(LOGIN, json={"provider": "myspace", "password": "p"}),
        401,
        "Invalid credentials",
    )
