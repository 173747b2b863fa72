"""Shared steps of the messaging tests, through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Account


async def send(
    client: httpx.AsyncClient,
    sender: Account,
    recipient: Account,
    body: str = "Hello",
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        "/api/v1/messages",
        json={"recipientId": recipient.user_id, "body": body, "attachments": [], **extra},
        headers=sender.headers,
    )


async def sent(
    client: httpx.AsyncClient, sender: Account, recipient: Account, body: str = "Hello"
) -> dict[str, Any]:
    response = await send(client, sender, recipient, body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def threads(
    client: httpx.AsyncClient, account: Account, **params: str
) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/threads", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def messages(
    client: httpx.AsyncClient, account: Account, thread_id: str, **params: str
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/threads/{thread_id}/messages", params=params, headers=account.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def read_up_to(
    client: httpx.AsyncClient, account: Account, thread_id: str, message_id: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/threads/{thread_id}/read",
        json={"upToMessageId": message_id},
        headers=account.headers,
    )
