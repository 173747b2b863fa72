"""A customer's sign-ins, password change and second factor end to end, and the admin's view of
them, with every answer checked for secrets. The matrix checks each of its cells the same way;
this flow adds the secrets that only exist after earlier steps (the TOTP secret once set up,
the tokens of earlier sign-ins, the audit trail of all of it)."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
import pytest

from tests.factories import STRONG_PASSWORD
from tests.robustness.access_matrix import NEW_PASSWORD, SIGNED_IN_TOKENS
from tests.robustness.leaks import known_secrets, visible_body
from tests.robustness.world import INTAKE_ANSWERS, Actor, Stage, build_world


def _bearer(data: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {data['accessToken']['token']}"}


@pytest.mark.asyncio(loop_scope="module")
async def test_no_answer_of_a_full_flow_shows_a_secret_outside_its_handover(stage: Stage) -> None:
    world = await build_world(stage.app, stage.client, Actor.ADMIN)
    customer, admin = world.customer, world.headers(Actor.ADMIN)
    answers: list[tuple[httpx.Response, frozenset[str]]] = []
    handed_over: set[str] = set()

    async def call(
        method: str,
        path: str,
        headers: dict[str, str],
        body: Any = None,
        hands_over: frozenset[str] = frozenset(),
    ) -> Any:
        response = await stage.client.request(method, path, json=body, headers=headers)
        assert response.status_code < 300, response.text
        answers.append((response, hands_over))
        data = response.json().get("data")
        if isinstance(data, dict):
            handed_over.update(_secrets_in(data, hands_over))
        return data

    code = await world.sms_code(customer.phone)
    signed_in = await call(
        "POST",
        "/api/v1/auth/otp/login",
        {},
        {"phone": customer.phone, "otp": code},
        SIGNED_IN_TOKENS,
    )
    headers = _bearer(signed_in)
    await call(
        "PATCH",
        "/api/v1/auth/password",
        headers,
        {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD},
    )
    setup = await call(
        "POST",
        "/api/v1/auth/mfa/totp/setup",
        headers,
        hands_over=frozenset({"secret", "otpauthUri"}),
    )
    totp_code = pyotp.TOTP(setup["secret"]).at(stage.app.state.clock.now())
    confirmed = await call(
        "POST",
        "/api/v1/auth/mfa/totp/confirm",
        headers,
        {"code": totp_code},
        frozenset({"recoveryCodes"}),
    )
    challenge = await call(
        "POST",
        "/api/v1/auth/login",
        {},
        {"provider": customer.phone, "password": NEW_PASSWORD},
        frozenset({"mfaToken"}),
    )
    verified = await call(
        "POST",
        "/api/v1/auth/mfa/verify",
        {},
        {"mfaToken": challenge["mfaToken"], "recoveryCode": confirmed["recoveryCodes"][0]},
        SIGNED_IN_TOKENS,
    )
    headers = _bearer(verified)
    profile = f"/api/v1/customers/{customer.user_id}/profile"
    for path in ("/api/v1/auth/me", profile, "/api/v1/onboarding/questionnaire"):
        await call("GET", path, headers)
    await call(
        "POST",
        "/api/v1/onboarding/intake",
        headers,
        {**INTAKE_ANSWERS, "questionnaireVersion": world.objects.questionnaire_version},
    )
    refreshed = await call(
        "POST",
        "/api/v1/auth/refresh-token",
        {},
        {"refreshToken": verified["refreshToken"]},
        SIGNED_IN_TOKENS,
    )
    await call("POST", "/api/v1/auth/logout", {}, {"refreshToken": refreshed["refreshToken"]})
    for path in (
        f"/api/v1/admin/users?q={customer.phone[1:]}",
        profile,
        f"/api/v1/audit-logs?actorId={customer.user_id}&limit=100",
        "/api/v1/audit-logs?limit=100",
    ):
        await call("GET", path, admin)

    secrets = await known_secrets(stage.app, world, NEW_PASSWORD)
    for response, hands_over in answers:
        body = visible_body(response, hands_over)
        leaked = secrets.found_in(body) + [secret for secret in handed_over if secret in body]
        leaked += [digits for digits in (code, totp_code) if f'"{digits}"' in body]
        assert leaked == [], f"{response.request.method} {response.request.url.path} leaked"


def _secrets_in(data: dict[str, Any], fields: frozenset[str]) -> list[str]:
    """The values handed over in `fields`: tokens, secrets, codes."""
    found: list[str] = []
    for name in fields:
        value = data.get(name)
        if isinstance(value, dict):
            value = value.get("token")
        if isinstance(value, list):
            found.extend(str(item) for item in value)
        elif name != "otpauthUri" and value is not None:
            found.append(str(value))
    return found
