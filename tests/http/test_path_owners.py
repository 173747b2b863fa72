"""A literal path segment outranks a path parameter: `/plans/today` answers as its own routes
say, whatever `/plans/{planId}` beside it would accept."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from fitcoach.http.path_owners import install_path_owners
from tests.factories import assert_error


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "POST", "PUT"])
async def test_a_method_the_literal_path_lacks_is_405_naming_its_methods_only(
    client: httpx.AsyncClient, method: str
) -> None:
    # PATCH and DELETE are served by /plans/{planId}: before, PATCH answered 422 for the id.
    response = await client.request(method, "/api/v1/plans/today", json={})
    assert_error(response, 405, "Method not allowed", code="method_not_allowed")
    assert response.headers["Allow"] == "GET"


async def test_a_literal_segment_before_a_parameter_owns_the_path(
    client: httpx.AsyncClient,
) -> None:
    # /plans/training/{userId} outranks /plans/{planId}/schedule at "training".
    response = await client.put("/api/v1/plans/training/schedule", json={})
    assert_error(response, 405)
    assert response.headers["Allow"] == "GET"


async def test_the_parameter_route_keeps_its_own_paths_and_methods(
    client: httpx.AsyncClient,
) -> None:
    response = await client.put(f"/api/v1/plans/{uuid.uuid4()}", json={})
    assert_error(response, 405)
    assert response.headers["Allow"] == "DELETE, GET, PATCH"
    # A method the parameter route serves still reaches it (here its caller check).
    assert (await client.patch(f"/api/v1/plans/{uuid.uuid4()}", json={})).status_code == 401


def test_an_app_routing_a_parameter_before_its_literal_path_is_refused() -> None:
    router = APIRouter()

    @router.get("/plans/{planId}")
    async def plan(planId: str) -> None:
        return None

    @router.get("/plans/today")
    async def today() -> None:
        return None

    app = FastAPI()
    app.include_router(router)
    with pytest.raises(RuntimeError, match="/plans/\\{planId\\} is routed before /plans/today"):
        install_path_owners(app)
