"""Shared steps of the community tests, through the API (a paid subscription, which commerce
grants on payment, is written directly)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from fitcoach.models import Subscription
from tests.factories import Account, Factory

COMMUNITIES = "/api/v1/community/communities"
POSTS = "/api/v1/community/posts"
POLICY = "/api/v1/admin/settings/community"


async def made_community(client: httpx.AsyncClient, admin: Account, **body: Any) -> dict[str, Any]:
    response = await client.post(
        COMMUNITIES, json={"name": "Everyone", **body}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def join(client: httpx.AsyncClient, account: Account, community_id: str) -> httpx.Response:
    return await client.post(f"{COMMUNITIES}/{community_id}/members", headers=account.headers)


async def members(client: httpx.AsyncClient, community_id: str, *accounts: Account) -> None:
    for account in accounts:
        response = await join(client, account, community_id)
        assert response.status_code == 200, response.text


async def post(
    client: httpx.AsyncClient,
    author: Account,
    community_id: str,
    body: str = "Week 1 done",
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        POSTS, json={"communityId": community_id, "body": body, **extra}, headers=author.headers
    )


async def posted(
    client: httpx.AsyncClient,
    author: Account,
    community_id: str,
    body: str = "Week 1 done",
    **extra: Any,
) -> dict[str, Any]:
    response = await post(client, author, community_id, body, **extra)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def listed(
    client: httpx.AsyncClient, reader: Account, community_id: str, **params: str
) -> list[dict[str, Any]]:
    response = await client.get(
        POSTS, params={"communityId": community_id, **params}, headers=reader.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def react(
    client: httpx.AsyncClient, account: Account, post_id: str, kind: str = "like", on: bool = True
) -> httpx.Response:
    path = f"{POSTS}/{post_id}/reactions/{kind}"
    if on:
        return await client.put(path, headers=account.headers)
    return await client.delete(path, headers=account.headers)


async def report(
    client: httpx.AsyncClient, account: Account, post_id: str, reason: str = "spam"
) -> httpx.Response:
    return await client.post(
        f"{POSTS}/{post_id}/reports", json={"reason": reason}, headers=account.headers
    )


async def moderate(
    client: httpx.AsyncClient, account: Account, post_id: str, action: str
) -> httpx.Response:
    return await client.post(
        f"{POSTS}/{post_id}/moderation", json={"action": action}, headers=account.headers
    )


async def pay_for(factory: Factory, customer: Account, product_id: str, days: int = 30) -> None:
    now = factory.now
    async with factory.app.state.sessionmaker() as session, session.begin():
        session.add(
            Subscription(
                user_id=customer.id,
                type="paid",
                days=days,
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=days),
                product_id=uuid.UUID(product_id),
            )
        )
