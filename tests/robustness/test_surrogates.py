"""A lone UTF-16 surrogate is refused at the edge with a 422 naming the field, in a body (string
or key, at any depth), a query string or a header, before any endpoint, database or log sees it.
Before the guard, each of these bodies was a 500 (argon2 or asyncpg failing to encode it)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fitcoach.http.text_guard import SURROGATE_MESSAGE
from tests.factories import STRONG_PASSWORD, Factory, assert_error

LONE = "\ud800"
JSON_HEADERS = {"content-type": "application/json"}


def _raw_json(body: Any) -> bytes:
    """The body as a client would send it: the surrogate as a JSON `\\ud800` escape."""
    return json.dumps(body).encode("ascii")


def assert_surrogate_refused(response: httpx.Response, field: str) -> None:
    assert_error(response, 422, SURROGATE_MESSAGE)
    assert response.json()["errors"] == [{"field": field, "message": SURROGATE_MESSAGE}]


@pytest.mark.parametrize(
    ("metadata", "password", "field"),
    [
        ({"name": f"Na{LONE}me"}, STRONG_PASSWORD, "metadata.name"),
        ({"name": "Good Name"}, f"Str0ng!{LONE}Passw0rd", "password"),
    ],
)
async def test_register(
    client: httpx.AsyncClient, metadata: dict[str, str], password: str, field: str
) -> None:
    body = {"email": "new@example.com", "password": password, "provider": "email"}
    response = await client.post(
        "/api/v1/auth/register",
        content=_raw_json({**body, "metadata": metadata}),
        headers=JSON_HEADERS,
    )
    assert_surrogate_refused(response, field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"goals": ["lose_weight", f"x{LONE}"]}, "goals.1"),
        ({"healthFlags": [LONE]}, "healthFlags.0"),
        ({"preferences": {f"key{LONE}": 1}}, "preferences.key\\ud800"),
    ],
)
async def test_intake(
    client: httpx.AsyncClient, factory: Factory, change: dict[str, Any], field: str
) -> None:
    customer = await factory.customer()
    body = {"questionnaireVersion": 1, "goals": ["lose_weight"], "consentAccepted": True}
    response = await client.post(
        "/api/v1/onboarding/intake",
        content=_raw_json({**body, **change}),
        headers={**customer.headers, **JSON_HEADERS},
    )
    assert_surrogate_refused(response, field)


async def test_profile_and_admin_user_names(client: httpx.AsyncClient, factory: Factory) -> None:
    customer, admin = await factory.customer(), await factory.admin()
    response = await client.patch(
        f"/api/v1/customers/{customer.user_id}/profile",
        content=_raw_json({"name": f"Bad{LONE}Name"}),
        headers={**customer.headers, **JSON_HEADERS},
    )
    assert_surrogate_refused(response, "name")

    coach = {"name": f"Coach{LONE}", "email": "c@example.com", "password": STRONG_PASSWORD}
    response = await client.post(
        "/api/v1/admin/users",
        content=_raw_json({**coach, "roles": ["COACH"]}),
        headers={**admin.headers, **JSON_HEADERS},
    )
    assert_surrogate_refused(response, "name")


async def test_a_valid_surrogate_pair_is_text(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    response = await client.patch(
        f"/api/v1/customers/{customer.user_id}/profile",
        content=_raw_json({"name": "Strong 💪 Person"}),
        headers={**customer.headers, **JSON_HEADERS},
    )
    assert response.status_code == 200, response.text


async def test_query_string_and_header(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    # `\ud800` as bytes is ED A0 80: what a client that encodes it "as UTF-8" sends.
    response = await client.get("/api/v1/admin/users?q=a%ED%A0%80b", headers=admin.headers)
    assert_surrogate_refused(response, "q")

    response = await client.get(
        "/api/v1/auth/me", headers={**admin.headers, "user-agent": b"agent\xed\xa0\x80"}
    )
    assert_surrogate_refused(response, "user-agent")
