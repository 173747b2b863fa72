"""A real server for the live channel's tests (httpx's ASGI transport answers only once the
whole body is written, so it cannot follow a stream), and a small SSE reader."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.types import ASGIApp


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """`app` on a free loopback port, in this event loop; its base URL. The caller runs the
    lifespan (the app fixture does), so the server does not run it again."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await until(lambda: server.started)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class SseEvent:
    id: str | None
    event: str
    data: str


@dataclass
class SseReader:
    response: httpx.Response
    _lines: AsyncIterator[str] | None = None
    comments: list[str] = field(default_factory=list)

    async def next(self, wait_seconds: float = 5.0) -> SseEvent | None:
        """The next event; None when the server ended the stream."""
        return await asyncio.wait_for(self._next(), wait_seconds)

    async def _next(self) -> SseEvent | None:
        if self._lines is None:
            self._lines = self.response.aiter_lines()
        fields: dict[str, str] = {}
        async for line in self._lines:
            if line.startswith(":"):
                self.comments.append(line)
                continue
            if not line:
                if fields:
                    return SseEvent(
                        id=fields.get("id"),
                        event=fields.get("event", "message"),
                        data=fields.get("data", ""),
                    )
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        return None


@asynccontextmanager
async def open_stream(
    base_url: str, *, headers: dict[str, str] | None = None, params: dict[str, str] | None = None
) -> AsyncIterator[SseReader]:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=10) as client,
        client.stream("GET", "/api/v1/stream", headers=headers, params=params) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield SseReader(response)


async def until(condition: Callable[[], bool], wait_seconds: float = 5.0) -> None:
    """Wait until `condition()` is true: another object's state (a server started, a stream
    registered with the broker), which offers no event to wait on."""
    async with asyncio.timeout(wait_seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
