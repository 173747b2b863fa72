"""A partner's receiver for the outgoing webhook tests: a small HTTP server that records what
it is sent and answers the status codes it is told to (then 200), or hangs until released."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.factories import Account
from tests.stream.live import served
from tests.worker.helpers import wait_until

WEBHOOKS = "/api/v1/integrations/webhooks"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def _hook(self, request: Request) -> Response:
        self.received.append(Received(dict(request.headers), await request.body()))
        return Response(status_code=self.answers.pop(0) if self.answers else 200)

    async def _slow(self, request: Request) -> Response:
        self.received.append(Received(dict(request.headers), await request.body()))
        await self.released.wait()
        return Response(status_code=200)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/hook", self._hook, methods=["POST"]),
                Route("/slow", self._slow, methods=["POST"]),
            ]
        )


@asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    async with served(receiver.app()) as url:
        receiver.url = url
        try:
            yield receiver
        finally:
            receiver.released.set()


async def subscribe(
    client: httpx.AsyncClient, caller: Account | dict[str, str], url: str, *event_types: str
) -> dict[str, Any]:
    headers = caller if isinstance(caller, dict) else caller.headers
    response = await client.post(
        WEBHOOKS, json={"url": url, "eventTypes": list(event_types)}, headers=headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def deliveries(
    client: httpx.AsyncClient, admin: Account, endpoint_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"{WEBHOOKS}/{endpoint_id}/deliveries", headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def settled(
    client: httpx.AsyncClient, admin: Account, endpoint_id: str, count: int = 1
) -> list[dict[str, Any]]:
    """The endpoint's deliveries once `count` of them are no longer pending."""
    found: list[dict[str, Any]] = []

    async def done() -> bool:
        nonlocal found
        found = await deliveries(client, admin, endpoint_id)
        return sum(item["status"] != "pending" for item in found) >= count

    await wait_until(done, what="the webhook deliveries to settle")
    return found
