"""The contract a client generator reads from /openapi.json: names that become good method and
class names, every error code a client may branch on, the headers the app sends, and errors
listed where they can happen (and only there)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from fitcoach.http.openapi import error_codes
from tests.factories import Factory, assert_error

CAMEL_CASE = re.compile(r"[a-z][a-zA-Z0-9]*")
PATH_PARAMETER = re.compile(r"\{([^}]*)\}")


@pytest.fixture
def document(openapi_document: dict[str, Any]) -> dict[str, Any]:
    return openapi_document


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    assert len(found) > 50
    return found


def test_operation_ids_are_short_camel_case_and_unique(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(set(ids)) == len(ids)
    for operation_id in ids:
        assert CAMEL_CASE.fullmatch(operation_id), operation_id
        assert "Api" not in operation_id, operation_id
        assert len(operation_id) <= 30, operation_id
    assert {"sendLoginOtp", "getMe", "listUsers", "grantSubscription"} <= set(ids)


def test_schema_names_are_plain_identifiers(document: dict[str, Any]) -> None:
    names = list(document["components"]["schemas"])
    assert [name for name in names if not name.isalnum()] == []
    assert {"PlanSummaryOutPageEnvelope", "UserOutEnvelope", "ErrorEnvelope"} <= set(names)
    assert "HTTPValidationError" not in names


def test_path_parameters_are_camel_case(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for name in PATH_PARAMETER.findall(path):
            assert CAMEL_CASE.fullmatch(name), (method, path)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert CAMEL_CASE.fullmatch(parameter["name"]), (method, path)
    assert "/api/v1/admin/users/{userId}/subscription" in document["paths"]


def test_no_operation_asks_for_the_user_agent(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        headers = {
            p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"
        }
        # Recorded with the session, not an input a client should be asked for.
        assert "user-agent" not in headers, (method, path)


def test_every_bearer_operation_documents_403(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        if operation.get("security"):
            assert "403" in operation["responses"], (method, path)


def test_413_and_422_are_listed_only_where_they_can_happen(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        responses = operation["responses"]
        assert ("413" in responses) == ("requestBody" in operation), (method, path)
    me = document["paths"]["/api/v1/auth/me"]["get"]["responses"]
    live = document["paths"]["/api/v1/health/live"]["get"]["responses"]
    assert not {"413", "422"} & set(me)
    assert "422" not in live


def test_response_headers_are_documented(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            headers = response.get("headers", {})
            if status in {"429", "503"}:
                assert "Retry-After" in headers, (method, path, status)
            if status == "201":
                assert "Location" in headers, (method, path)
    send_otp = document["paths"]["/api/v1/auth/otp/send"]["post"]["responses"]
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
        send_otp["200"]["headers"]
    )
    assert "RateLimit-Remaining" in send_otp["429"]["headers"]


def test_every_error_answer_uses_the_envelope_with_every_code(document: dict[str, Any]) -> None:
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["properties"]["code"]["enum"] == error_codes()
    assert "code" in envelope["required"]
    expected = {"otp_expired", "rate_limited", "account_blocked", "validation_failed"}
    assert expected <= set(error_codes())
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, status)
                assert method


async def test_framework_errors_carry_codes(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/nowhere"), 404, code="route_not_found")
    assert_error(await client.put("/api/v1/auth/me"), 405, code="method_not_allowed")
    malformed = await client.post(
        "/api/v1/auth/otp/send", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert_error(malformed, 400, code="malformed_json")
    invalid = await client.post("/api/v1/auth/otp/send", json={"phone": 5})
    assert_error(invalid, 422, code="validation_failed")
    assert_error(await client.get("/api/v1/auth/me"), 401, code="unauthorized")


async def test_domain_errors_carry_their_class_code(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    missing = "00000000-0000-4000-8000-000000000000"
    response = await client.get(f"/api/v1/plans/{missing}", headers=admin.headers)
    assert_error(response, 404, code="plan_not_found")


async def test_201_answers_carry_the_location_of_what_they_created(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    response = await client.post(
        f"/api/v1/admin/users/{customer.user_id}/subscription",
        json={"type": "paid", "days": 30},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == (f"/api/v1/admin/users/{customer.user_id}/subscription")


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        found: dict[str, Any] = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
        return found
    return schema


def test_every_operation_is_described_with_its_callers_and_errors(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        description = operation.get("description", "")
        own_text = description.split("**Who may call:**")[0].strip()
        assert own_text, (method, path)
        assert "**Who may call:**" in description, (method, path)
        assert "**Errors**" in description, (method, path)
    grant = document["paths"]["/api/v1/admin/users/{userId}/subscription"]["post"]
    assert "**Who may call:** admins." in grant["description"]
    assert (
        "**Who may call:** anyone" in document["paths"]["/api/v1/auth/login"]["post"]["description"]
    )


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        # JSON, or the multipart form of an upload.
        [content] = operation["requestBody"]["content"].values()
        schema = _resolved(document, content["schema"])
        # A union's members are the bodies; a model's own oneOf/anyOf only constrains its fields.
        union = "properties" not in schema
        forms = (union and (schema.get("oneOf") or schema.get("anyOf"))) or [schema]
        for form in forms:
            assert _resolved(document, form).get("examples"), (method, path)


def test_every_example_is_accepted_by_its_model() -> None:
    import fitcoach.app  # noqa: F401 - defines every schema
    from fitcoach.http.envelope import StrictApiModel

    pending = list(StrictApiModel.__subclasses__())
    checked = 0
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        # Inherited examples included: a subclass must accept what its schema shows.
        extra = model.model_config.get("json_schema_extra")
        examples = extra.get("examples", []) if isinstance(extra, dict) else []
        for example in examples if isinstance(examples, list) else []:
            model.model_validate(example)
            checked += 1
    assert checked >= 30
