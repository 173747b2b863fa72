"""Safe requests (GET, HEAD) run in an autocommit session that refuses writes: a GET handler that
tried to change something would otherwise commit statement by statement, outside the one
transaction per request. Such a handler is a bug, so it answers 500 and writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import select, update

from fitcoach.db.session import DbSession
from fitcoach.models import Setting

PROBE_KEY = "READ_ONLY_PROBE"
probe_router = APIRouter(prefix="/probe")


@probe_router.get("/add")
async def add_in_a_get(session: DbSession) -> dict[str, str]:
    session.add(Setting(key=PROBE_KEY, value="written by a GET"))
    await session.flush()
    return {"wrote": "yes"}


@probe_router.get("/update")
async def update_in_a_get(session: DbSession) -> dict[str, str]:
    await session.execute(update(Setting).values(value="changed by a GET"))
    return {"wrote": "yes"}


@probe_router.get("/read")
async def read_in_a_get(session: DbSession) -> dict[str, str | None]:
    value = await session.scalar(select(Setting.value).where(Setting.key == PROBE_KEY))
    return {"value": value}


@probe_router.post("/add")
async def add_in_a_post(session: DbSession) -> dict[str, str]:
    session.add(Setting(key=PROBE_KEY, value="written by a POST"))
    return {"wrote": "yes"}


@pytest.fixture
async def probe(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    app.include_router(probe_router)
    # A handler bug surfaces as the 500 envelope; the transport must not re-raise it.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def stored_value(app: FastAPI) -> str | None:
    async with app.state.sessionmaker() as session:
        value: str | None = await session.scalar(
            select(Setting.value).where(Setting.key == PROBE_KEY)
        )
        return value


@pytest.mark.parametrize("path", ["/probe/add", "/probe/update"])
async def test_a_get_that_writes_fails_and_writes_nothing(
    app: FastAPI, probe: httpx.AsyncClient, path: str
) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        session.add(Setting(key=PROBE_KEY, value="original"))

    response = await probe.get(path)

    assert response.status_code == 500
    assert response.json()["status"] == "error"
    assert await stored_value(app) == "original"


async def test_gets_read_and_posts_write(app: FastAPI, probe: httpx.AsyncClient) -> None:
    assert (await probe.get("/probe/read")).json() == {"value": None}

    assert (await probe.post("/probe/add")).status_code == 200

    assert (await probe.get("/probe/read")).json() == {"value": "written by a POST"}
    assert await stored_value(app) == "written by a POST"
