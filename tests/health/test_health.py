"""GET /api/v1/health: the version and each dependency's state; 503 when the database is down."""

from __future__ import annotations

from pathlib import Path

import httpx

from fitcoach import __version__
from tests.conftest import REDIS_URL, make_settings
from tests.factories import assert_error
from tests.standalone import standalone_app

UNREACHABLE_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


async def test_health_reports_version_and_dependencies(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    data = body["data"]
    assert data["status"] == "ok"
    assert data["version"] == __version__
    database = data["dependencies"]["database"]
    assert database["status"] == "up"
    assert database["latencyMs"] >= 0
    if REDIS_URL:
        assert data["dependencies"]["redis"]["status"] == "up"
    else:
        assert "redis" not in data["dependencies"]


async def test_health_is_degraded_when_redis_is_unreachable(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, redis_url=UNREACHABLE_REDIS)
    async with standalone_app(settings) as (_, client):
        response = await client.get("/api/v1/health")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "degraded"
    assert data["dependencies"]["database"]["status"] == "up"
    assert data["dependencies"]["redis"]["status"] == "down"


async def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = make_settings(
        UNREACHABLE_DATABASE, tmp_path, redis_url=None, database_pool_timeout_seconds=1
    )
    async with standalone_app(settings) as (_, client):
        response = await client.get("/api/v1/health")
    assert_error(response, 503, "Database unavailable")
    assert response.headers["Retry-After"] == "5"
    data = response.json()["data"]
    assert data["status"] == "down"
    assert data["version"] == __version__
    assert data["dependencies"]["database"]["status"] == "down"


async def test_liveness_touches_no_dependency(tmp_path: Path) -> None:
    settings = make_settings(
        UNREACHABLE_DATABASE, tmp_path, redis_url=None, database_pool_timeout_seconds=1
    )
    async with standalone_app(settings) as (_, client):
        response = await client.get("/api/v1/health/live")
    assert response.json() == {
        "status": "success",
        "data": {"status": "ok", "version": __version__},
    }


async def test_ready_when_every_dependency_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "ok"


async def test_not_ready_without_the_database(tmp_path: Path) -> None:
    settings = make_settings(
        UNREACHABLE_DATABASE, tmp_path, redis_url=None, database_pool_timeout_seconds=1
    )
    async with standalone_app(settings) as (_, client):
        response = await client.get("/api/v1/health/ready")
    assert_error(response, 503, "Not ready: a dependency is unavailable")
    assert response.json()["data"]["dependencies"]["database"]["status"] == "down"


async def test_not_ready_without_configured_redis(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, redis_url=UNREACHABLE_REDIS)
    async with standalone_app(settings) as (_, client):
        response = await client.get("/api/v1/health/ready")
    assert_error(response, 503, "Not ready: a dependency is unavailable")
    assert response.json()["data"]["dependencies"]["redis"]["status"] == "down"
