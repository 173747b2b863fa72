"""Helpers of the API key tests: issue a key through the API, call with it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Account

API_KEYS = "/api/v1/integrations/api-keys"


async def issue_key(
    client: httpx.AsyncClient,
    admin: Account,
    *,
    scopes: tuple[str, ...] = ("customers:read",),
    rate_limit: int = 100,
) -> dict[str, Any]:
    response = await client.post(
        API_KEYS,
        json={"name": "CRM sync", "rateLimit": rate_limit, "scopes": list(scopes)},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def keyed(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
