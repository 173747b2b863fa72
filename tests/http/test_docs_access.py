"""/docs, /redoc and /openapi.json behind HTTP Basic credentials when FITCOACH_DOCS_PASSWORD is
set: without them, or with a wrong user or password, 401 asking for Basic; with them, the pages
and the document. The pages' assets (the package's public files) stay open. Before, the docs could
only be turned off."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings
from tests.factories import assert_error
from tests.standalone import standalone_app

PAGES = ("/docs", "/redoc", "/openapi.json")
USER, PASSWORD = "operator", "correct horse battery staple"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
async def protected(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(database_url, tmp_path, docs_username=USER, docs_password=PASSWORD)
    async with standalone_app(settings) as (_, client):
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic(USER, "wrong"),
        basic("someone", PASSWORD),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic " + base64.b64encode(b"no colon").decode()},
        {"Authorization": f"Bearer {PASSWORD}"},
    ],
    ids=["none", "wrong-password", "wrong-user", "malformed", "no-colon", "bearer"],
)
async def test_the_docs_ask_for_basic_credentials(
    protected: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for path in PAGES:
        response = await protected.get(path, headers=headers)
        assert_error(response, 401, code="unauthorized")
        assert response.headers["WWW-Authenticate"].startswith('Basic realm="fitcoach API docs"')


async def test_the_right_credentials_open_the_docs(protected: httpx.AsyncClient) -> None:
    for path in PAGES:
        assert (await protected.get(path, headers=basic(USER, PASSWORD))).status_code == 200
    document = (await protected.get("/openapi.json", headers=basic(USER, PASSWORD))).json()
    assert "/api/v1/auth/login" in document["paths"]
    # The pages' scripts are the package's public files.
    assert (await protected.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200


async def test_without_a_password_the_docs_are_open(client: httpx.AsyncClient) -> None:
    for path in PAGES:
        assert (await client.get(path)).status_code == 200
