"""Properties, checked by hypothesis over generated input: the phone normal form is a fixed
point, only exactly six ASCII digits pass as an OTP, and no altered access token is accepted."""

from __future__ import annotations

import re

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from fitcoach.core.phone import InvalidPhoneNumber, normalize_phone
from tests.factories import Factory, random_phone, with_settings

# The client and the app are built once per test and serve every example; the database rows an
# example leaves (none for these requests) would not change the next example's answer.
http_examples = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_SIX_ASCII_DIGITS = re.compile(r"[0-9]{6}")

phone_like = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A\+?[0-9 ().\-]{6,24}\Z"),
    st.from_regex(r"\A\+[1-9][0-9]{9,14}\Z"),
)


@given(raw=phone_like, region=st.sampled_from([None, "EG", "US", "GB", "DE"]))
# Stored as +59500000000, which then normalised to +5950000000: each parse dropped a zero.
@example(raw="+595000000000", region=None)
def test_phone_normalisation_is_idempotent(raw: str, region: str | None) -> None:
    try:
        normal = normalize_phone(raw, region)
    except InvalidPhoneNumber:
        return
    assert normalize_phone(normal, region) == normal
    assert normalize_phone(normal) == normal  # E.164 needs no region


otp_candidates = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=5, max_size=7),
    st.from_regex(r"\A[0-9]{6}\Z"),
    st.from_regex(r"\A\s*[0-9]{6}\s*\Z"),
)


@pytest.mark.parametrize(
    "path", ["/api/v1/otp/verify", "/api/v1/auth/otp/login", "/api/v1/auth/reset-password"]
)
@with_settings(rate_limit_enabled=False)
@http_examples
@given(otp=otp_candidates)
async def test_only_six_ascii_digits_pass_as_an_otp(
    client: httpx.AsyncClient, path: str, otp: str
) -> None:
    body = {"phone": random_phone(), "otp": otp, "newPassword": "Str0ng!Passw0rd"}
    if path != "/api/v1/auth/reset-password":
        del body["newPassword"]
    response = await client.post(path, json=body)
    otp_refused = response.status_code == 422 and any(
        error["field"] == "otp" for error in response.json().get("errors", [])
    )
    assert otp_refused == (_SIX_ASCII_DIGITS.fullmatch(otp) is None), response.text


@pytest.fixture
async def access_token(factory: Factory) -> str:
    return (await factory.customer()).access_token


@http_examples
@given(data=st.data())
async def test_any_byte_changed_in_an_access_token_is_refused(
    client: httpx.AsyncClient, access_token: str, data: st.DataObject
) -> None:
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access_token}"})
    assert me.status_code == 200, me.text
    token = bytearray(access_token.encode())
    index = data.draw(st.integers(0, len(token) - 1), label="index")
    token[index] ^= data.draw(st.integers(1, 255), label="xor mask")
    # A header value cannot carry control characters; everything else is fair game.
    assume(0x21 <= token[index] <= 0x7E or token[index] >= 0x80)
    response = await client.get(
        "/api/v1/auth/me", headers={"Authorization": b"Bearer " + bytes(token)}
    )
    assert response.status_code == 401, (bytes(token), response.text)
