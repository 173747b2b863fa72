"""GET /api/v1/health: 200 with the version and each dependency's state; 503 when the database
cannot be reached. Public, so load balancers can call it."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

import redis.asyncio as redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fitcoach import __version__
from fitcoach.kit.envelope import ApiModel, DataEnvelope, error_body, error_responses

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_SECONDS = 2.0


class DependencyState(ApiModel):
    status: Literal["up", "down"]
    latency_ms: float | None = None
    error: str | None = None


class Health(ApiModel):
    status: Literal["ok", "degraded", "down"]
    version: str
    dependencies: dict[str, DependencyState]


async def _timed(check_name: str, probe: asyncio.Future[object] | object) -> DependencyState:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS)  # type: ignore[arg-type]
    except Exception as exc:  # any failure means "down"; the type says which
        return DependencyState(status="down", error=f"{check_name}: {type(exc).__name__}")
    return DependencyState(status="up", latency_ms=round((time.perf_counter() - started) * 1000, 2))


async def _ping_database(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _ping_redis(url: str) -> None:
    client = redis.from_url(url, socket_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        await client.ping()
    finally:
        await client.aclose()


@router.get(
    "/health",
    response_model=DataEnvelope[Health],
    responses=error_responses(503),
    summary="Service health, dependency states and version (public)",
)
async def health(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    dependencies = {"database": await _timed("database", _ping_database(request.app.state.engine))}
    if settings.redis_url:
        dependencies["redis"] = await _timed("redis", _ping_redis(settings.redis_url))
    database_up = dependencies["database"].status == "up"
    all_up = all(state.status == "up" for state in dependencies.values())
    report = Health(
        status="ok" if all_up else ("degraded" if database_up else "down"),
        version=__version__,
        dependencies=dependencies,
    )
    data = report.model_dump(mode="json", by_alias=True)
    if not database_up:
        return JSONResponse(
            error_body(503, "Database unavailable", data=data),
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "success", "data": data})
