"""/openapi.json describes every route of the app, and every operation that needs a signed-in
caller declares the bearer scheme (and its 401), so generated clients send the token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security.base import SecurityBase

BEARER = [{"HTTPBearer": []}]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    route: APIRoute

    @property
    def requires_sign_in(self) -> bool:
        return "HTTPBearer" in _schemes(self.route.dependant)

    @property
    def provider_scheme(self) -> str | None:
        """The scheme of a provider's signature (a payment webhook's), when it declares one."""
        others = _schemes(self.route.dependant) - {"HTTPBearer"}
        return next(iter(others), None)


def _schemes(dependant: Dependant) -> set[str]:
    """CurrentUser, SignedInRead and the role checks are the bearer scheme itself (one
    dependency each), as is the stream's bearer: a security scheme marks every route that needs
    a signed-in caller. A provider's webhook declares its signature's scheme the same way."""
    found: set[str] = set()
    for sub in dependant.dependencies:
        if isinstance(sub.call, SecurityBase):
            found.add(sub.call.scheme_name)
        found |= _schemes(sub)
    return found


def _operations(app: FastAPI) -> Iterator[Operation]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path:
            for method in sorted(context.methods or ()):
                yield Operation(method.lower(), context.path, route)


@pytest.fixture
def spec(openapi_document: dict[str, Any]) -> dict[str, Any]:
    return openapi_document


def test_the_app_has_routes_beyond_auth(app: FastAPI) -> None:
    paths = {operation.path for operation in _operations(app)}
    assert {"/api/v1/health", "/api/v1/auth/otp/send", "/api/v1/auth/me"} <= paths


def test_every_route_is_described(app: FastAPI, spec: dict[str, Any]) -> None:
    described = {
        (method, path) for path, operations in spec["paths"].items() for method in operations
    }
    routed = {(operation.method, operation.path) for operation in _operations(app)}
    assert routed - described == set()
    assert described - routed == set()


def test_bearer_scheme_is_declared(spec: dict[str, Any]) -> None:
    scheme = spec["components"]["securitySchemes"]["HTTPBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_operations_needing_sign_in_declare_bearer_and_401(
    app: FastAPI, spec: dict[str, Any]
) -> None:
    secured = [operation for operation in _operations(app) if operation.requires_sign_in]
    assert any(operation.path == "/api/v1/auth/me" for operation in secured)
    for operation in _operations(app):
        described = spec["paths"][operation.path][operation.method]
        where = f"{operation.method.upper()} {operation.path}"
        if operation.requires_sign_in:
            assert described.get("security") == BEARER, where
            assert "401" in described["responses"], where
        elif operation.provider_scheme is not None:
            assert described.get("security") == [{operation.provider_scheme: []}], where
            assert "401" in described["responses"], where
        else:
            assert "security" not in described, where


def test_every_operation_describes_its_error_envelope(app: FastAPI, spec: dict[str, Any]) -> None:
    for operation in _operations(app):
        responses = spec["paths"][operation.path][operation.method]["responses"]
        errors = {code: answer for code, answer in responses.items() if code.startswith(("4", "5"))}
        assert errors, operation.path
        for answer in errors.values():
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, operation.path


async def test_declared_security_matches_what_the_server_enforces(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Without a token, an operation answers 401 exactly when it declares the bearer scheme, and
    never a 500."""
    for operation in _operations(app):
        path = operation.path
        for name in operation.route.param_convertors:
            path = path.replace("{" + name + "}", str(uuid.uuid4()))
        response = await client.request(operation.method.upper(), path)
        where = f"{operation.method.upper()} {operation.path}"
        assert response.status_code < 500, (where, response.text)
        # A provider's webhook is signed by its sender, not signed in: unsigned, it is 401 too.
        # The payment webhook declares its signature's scheme; the wearable one (several
        # providers' headers) is told by its error code.
        signed_by_sender = operation.provider_scheme is not None or (
            '"code":"invalid_webhook_signature"' in response.text
        )
        assert (response.status_code == 401) == (operation.requires_sign_in or signed_by_sender), (
            where,
            response.text,
        )
        if operation.requires_sign_in:
            assert response.headers["WWW-Authenticate"] == "Bearer", where
