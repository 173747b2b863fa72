"""Health, public so load balancers and orchestrators can call it.

- GET /api/v1/health: the version and each dependency's state; 503 when the database is down.
- GET /api/v1/health/live: the process answers (liveness: restart me if this fails).
- GET /api/v1/health/ready: database and, when configured, Redis reachable within a short
  timeout (readiness: send me traffic); 503 otherwise. With a broker (the scale-out shape), the
  broker connection and a recent heartbeat of at least one `fitcoach worker` count too; in
  the embedded shape, the heartbeat of this process's own workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fitcoach import __version__
from fitcoach.http.envelope import ApiModel, DataEnvelope, error_body, error_responses, ok
from fitcoach.worker.engine import WorkerEngine
from fitcoach.worker.store import live_workers

CHECK_TIMEOUT_SECONDS = 2.0

router = APIRouter(tags=["health"])


class DependencyState(ApiModel):
    status: Literal["up", "down"]
    latency_ms: float | None = None
    error: str | None = None


class Health(ApiModel):
    status: Literal["ok", "degraded", "down"]
    version: str
    dependencies: dict[str, DependencyState]


async def _timed(check_name: str, probe: Awaitable[None]) -> DependencyState:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "down"; the type says which
        return DependencyState(status="down", error=f"{check_name}: {type(exc).__name__}")
    return DependencyState(status="up", latency_ms=round((time.perf_counter() - started) * 1000, 2))


async def _ping_database(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


class NoLiveWorker(Exception):
    """No worker process has sent a heartbeat within a lease."""


class BrokerDisconnected(Exception):
    """The connection to the broker is closed (the robust connection is reconnecting)."""


async def _ping_broker(worker: WorkerEngine) -> None:
    if worker.rabbit is None or not await worker.rabbit.ping():
        raise BrokerDisconnected()


async def _workers_beating(app: FastAPI) -> None:
    worker: WorkerEngine = app.state.worker
    # A worker beats every third of a lease; one lease without a beat is a dead worker.
    within = timedelta(seconds=worker.settings.job_lease_seconds)
    async with app.state.read_only_sessionmaker() as session:
        if await live_workers(session, within) == 0:
            raise NoLiveWorker()


async def _own_loops_alive(worker: WorkerEngine) -> None:
    if not worker.loops_alive:
        raise NoLiveWorker()


async def _check_dependencies(app: FastAPI) -> dict[str, DependencyState]:
    checks = {"database": _timed("database", _ping_database(app.state.engine))}
    if app.state.redis is not None:
        checks["redis"] = _timed("redis", app.state.redis.ping())
    worker: WorkerEngine = app.state.worker
    if worker.rabbit is not None:
        checks["broker"] = _timed("broker", _ping_broker(worker))
    if worker.rabbit is not None:
        checks["workers"] = _timed("workers", _workers_beating(app))
    elif worker.loops_running:
        # Embedded: the workers are this process's own supervised loops. Their heartbeat row
        # can lag behind a busy SQLite writer while nothing is wrong, so ask the loops.
        checks["workers"] = _timed("workers", _own_loops_alive(worker))
    states = await asyncio.gather(*checks.values())
    return dict(zip(checks, states, strict=True))


def _report(dependencies: dict[str, DependencyState]) -> Health:
    database_up = dependencies["database"].status == "up"
    all_up = all(state.status == "up" for state in dependencies.values())
    return Health(
        status="ok" if all_up else ("degraded" if database_up else "down"),
        version=__version__,
        dependencies=dependencies,
    )


def _unavailable(message: str, report: Health) -> JSONResponse:
    data = report.model_dump(mode="json", by_alias=True, exclude_none=True)
    return JSONResponse(
        error_body(503, message, "dependency_unavailable", data=data),
        status_code=503,
        headers={"Retry-After": "5"},
    )


@router.get(
    "/health",
    response_model=DataEnvelope[Health],
    responses=error_responses(503),
    summary="Service health, dependency states and version (public)",
)
async def health(request: Request) -> JSONResponse:
    report = _report(await _check_dependencies(request.app))
    if report.dependencies["database"].status == "down":
        return _unavailable("Database unavailable", report)
    data = report.model_dump(mode="json", by_alias=True, exclude_none=True)
    return JSONResponse({"status": "success", "data": data})


class Liveness(ApiModel):
    status: Literal["ok"]
    version: str


@router.get(
    "/health/live",
    response_model=DataEnvelope[Liveness],
    summary="Liveness: the process answers (public); touches no dependency",
)
async def live() -> DataEnvelope[Liveness]:
    return ok(Liveness(status="ok", version=__version__))


@router.get(
    "/health/ready",
    response_model=DataEnvelope[Health],
    responses=error_responses(503),
    summary="Readiness: database and Redis (when configured) reachable (public)",
)
async def ready(request: Request) -> JSONResponse:
    report = _report(await _check_dependencies(request.app))
    if report.status != "ok":
        return _unavailable("Not ready: a dependency is unavailable", report)
    data = report.model_dump(mode="json", by_alias=True, exclude_none=True)
    return JSONResponse({"status": "success", "data": data})
