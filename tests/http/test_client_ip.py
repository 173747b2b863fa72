"""The client IP behind trusted proxies: the socket peer, unless the peer is trusted, then the
right-most X-Forwarded-For hop that is not itself trusted; rate limits key on it."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import httpx
import pytest

from fitcoach.http.client_ip import Network, resolve_client_ip
from tests.conftest import make_settings
from tests.factories import assert_error, random_phone
from tests.standalone import standalone_app

PROXIES: list[Network] = [
    ipaddress.ip_network("203.0.113.0/24"),
    ipaddress.ip_network("10.0.0.0/8"),
    ipaddress.ip_network("2001:db8:ffff::/48"),
]
PROXY_PEER = "203.0.113.10"
SEND_OTP = "/api/v1/auth/otp/send"


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("198.51.100.1", "192.0.2.99", "198.51.100.1"),
        ("198.51.100.1", None, "198.51.100.1"),
        (PROXY_PEER, None, PROXY_PEER),
        (PROXY_PEER, "198.51.100.7", "198.51.100.7"),
        (PROXY_PEER, "198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (PROXY_PEER, "192.0.2.66, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (PROXY_PEER, "10.0.0.1, 10.0.0.2", "10.0.0.1"),
        (PROXY_PEER, " 198.51.100.7 , , 10.0.0.2 ", "198.51.100.7"),
        (PROXY_PEER, "not-an-ip", PROXY_PEER),
        (PROXY_PEER, "198.51.100.7, not-an-ip, 10.0.0.2", "10.0.0.2"),
        (PROXY_PEER, "2001:DB8:0:0::1", "2001:db8::1"),
        ("2001:db8:ffff::5", "198.51.100.7", "198.51.100.7"),
        (None, "198.51.100.7", "unknown"),
    ],
    ids=[
        "untrusted-peer-ignores-header",
        "untrusted-peer-without-header",
        "trusted-peer-without-header",
        "trusted-peer-single-hop",
        "skips-trusted-hops-from-the-right",
        "ignores-client-typed-left-hops",
        "all-hops-trusted-takes-left-most",
        "blank-entries-and-spaces",
        "garbage-hop-falls-back-to-peer",
        "garbage-hop-stops-at-last-trusted",
        "ipv6-hop-normalised",
        "ipv6-trusted-peer",
        "no-peer",
    ],
)
def test_resolve_client_ip(peer: str | None, forwarded_for: str | None, expected: str) -> None:
    assert resolve_client_ip(peer, forwarded_for, PROXIES) == expected


def test_no_trusted_proxies_means_the_peer() -> None:
    assert resolve_client_ip(PROXY_PEER, "198.51.100.7", []) == PROXY_PEER


class TestBehindTrustedProxy:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"trusted_proxies": ["203.0.113.0/24"]}

    async def test_rate_limit_keys_on_the_forwarded_client(self, client: httpx.AsyncClient) -> None:
        first_client = {"X-Forwarded-For": "198.51.100.7"}
        for _ in range(5):
            response = await client.post(
                SEND_OTP, json={"phone": random_phone()}, headers=first_client
            )
            assert response.status_code == 200, response.text
        refused = await client.post(SEND_OTP, json={"phone": random_phone()}, headers=first_client)
        assert_error(refused, 429)
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.headers["RateLimit-Limit"] == "5"
        assert refused.headers["RateLimit-Remaining"] == "0"

        # A hop the client typed in front of its real address does not buy a fresh budget.
        spoofed = {"X-Forwarded-For": "192.0.2.1, 198.51.100.7"}
        again = await client.post(SEND_OTP, json={"phone": random_phone()}, headers=spoofed)
        assert_error(again, 429)

        other_client = {"X-Forwarded-For": "198.51.100.8"}
        allowed = await client.post(SEND_OTP, json={"phone": random_phone()}, headers=other_client)
        assert allowed.status_code == 200, allowed.text
        assert allowed.headers["RateLimit-Remaining"] == "4"


@pytest.mark.usefixtures("shared_database_emptied_afterwards")
async def test_untrusted_peer_cannot_pick_its_rate_limit_key(
    database_url: str, tmp_path: Path
) -> None:
    async with standalone_app(make_settings(database_url, tmp_path)) as (_, client):
        for hop in range(5):
            response = await client.post(
                SEND_OTP,
                json={"phone": random_phone()},
                headers={"X-Forwarded-For": f"198.51.100.{hop}"},
            )
            assert response.status_code == 200, response.text
        refused = await client.post(
            SEND_OTP, json={"phone": random_phone()}, headers={"X-Forwarded-For": "198.51.100.99"}
        )
    assert_error(refused, 429)
