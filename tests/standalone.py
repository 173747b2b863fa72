"""Apps built beside the `app` fixture, for tests that need other settings or a second app on the
same database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from fitcoach.app import create_app
from fitcoach.config import Settings

TEST_PEER = ("203.0.113.10", 50000)


@asynccontextmanager
async def standalone_app(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=TEST_PEER)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield app, client
