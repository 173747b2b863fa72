"""Every error a client can provoke, routing and parsing included, answers in the one envelope
with statusCode equal to the HTTP status, never a 500."""

from __future__ import annotations

import httpx

from tests.factories import assert_error


async def test_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/no-such-route"), 404, "Route not found")
    assert_error(await client.post("/nowhere", json={}), 404, "Route not found")


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/auth/otp/send")
    assert_error(response, 405, "Method not allowed")
    assert response.headers["Allow"] == "POST"


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/otp/send",
        content=b'{"phone": ',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "Malformed JSON in request body")


async def test_wrong_content_type_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/otp/send",
        content=b'{"phone": "+201000000001"}',
        headers={"Content-Type": "text/plain"},
    )
    assert_error(response, 422)


async def test_empty_body_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/otp/send")
    assert_error(response, 422, "Request body is required")
    assert response.json()["errors"] == [{"field": "", "message": "Request body is required"}]


async def test_body_of_the_wrong_shape_is_422(client: httpx.AsyncClient) -> None:
    for body in ([], "text", 42, None):
        assert_error(await client.post("/api/v1/auth/otp/send", json=body), 422)


async def test_unknown_field_is_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/otp/send", json={"phone": "+201000000001", "roles": ["ADMIN"]}
    )
    assert_error(response, 422, "roles is not an accepted field")
