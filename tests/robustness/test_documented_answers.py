"""Answers the fuzz runs found undocumented or wrong, pinned: the 400 of a malformed body is in
the document of every operation that takes one, and a 405 allows every method of its path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import assert_error


def test_every_operation_with_a_body_documents_400(openapi_document: dict[str, Any]) -> None:
    with_body = [
        (method, path)
        for path, operations in openapi_document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert with_body
    for method, path in with_body:
        assert "400" in openapi_document["paths"][path][method]["responses"], (method, path)


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/logout", content=b"\x00", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "Malformed JSON in request body")


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        # GET and POST are separate handlers; Starlette's 405 named only the first.
        ("/api/v1/admin/questionnaires", "GET, POST"),
        ("/api/v1/plans", "GET, POST"),
        ("/api/v1/auth/me", "GET"),
    ],
)
async def test_405_allows_every_method_of_the_path(
    client: httpx.AsyncClient, path: str, allowed: str
) -> None:
    response = await client.request("OPTIONS", path)
    assert_error(response, 405, "Method not allowed")
    assert response.headers["Allow"] == allowed
