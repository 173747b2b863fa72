"""Every moment in a JSON answer is written as the spec's examples are: UTC with milliseconds,
`2026-02-09T15:00:00.000Z`, whether it came from the clock or back from the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from tests.factories import STRONG_PASSWORD, Factory

LOOKS_LIKE_A_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
SPEC_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _moments(value: Any) -> Iterator[str]:
    if isinstance(value, str) and LOOKS_LIKE_A_MOMENT.match(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _moments(item)
    elif isinstance(value, list):
        for item in value:
            yield from _moments(item)


async def test_moments_carry_milliseconds_in_utc(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    clock.advance(microseconds=123_456 - clock.now().microsecond)
    admin = await factory.admin()
    login = await client.post(
        "/api/v1/auth/login", json={"provider": admin.phone, "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200, login.text
    expires_at = login.json()["data"]["accessToken"]["expiresAt"]
    ttl = timedelta(seconds=app.state.settings.access_token_ttl_seconds)
    # A token's expiry is its JWT `exp`, whole seconds.
    expected = (clock.now() + ttl).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"
    assert expires_at == expected

    answers = [login.json()]
    for path in ("/api/v1/auth/me", "/api/v1/audit-logs", "/api/v1/admin/users"):
        response = await client.get(path, headers=admin.headers)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    moments = [moment for answer in answers for moment in _moments(answer)]
    assert len(moments) >= 5
    assert [moment for moment in moments if not SPEC_MOMENT.match(moment)] == []
