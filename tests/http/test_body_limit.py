"""Request bodies over FITCOACH_MAX_BODY_BYTES are refused with 413 in the error envelope."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.factories import assert_error

BODY_CAP = 2048


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"max_body_bytes": BODY_CAP}


async def _chunks(total: int, size: int = 512) -> AsyncIterator[bytes]:
    for _ in range(total // size):
        yield b" " * size


async def test_streamed_body_over_the_cap_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/otp/send",
        content=_chunks(BODY_CAP * 2),
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 413, f"Request body too large (limit {BODY_CAP} bytes)")
    assert "X-Request-ID" in response.headers


async def test_declared_body_over_the_cap_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/otp/send", json={"phone": "1" * BODY_CAP})
    assert_error(response, 413, f"Request body too large (limit {BODY_CAP} bytes)")
    assert "X-Request-ID" in response.headers


async def test_body_under_the_cap_reaches_validation(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/otp/send", json={"phone": "1" * (BODY_CAP // 2)})
    assert_error(response, 422)
