"""The client's IP: the socket peer, unless the peer is a trusted proxy, in which case the
right-most X-Forwarded-For address that is not itself a trusted proxy. Left-most entries are
whatever the client typed, so they are never believed."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_trusted_proxy(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def resolve_client_ip(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str:
    client = peer or "unknown"
    if not trusted or not is_trusted_proxy(client, trusted) or not forwarded_for:
        return client
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not is_trusted_proxy(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return client  # a malformed hop added by a trusted proxy's client; fall back
        client = hop
    return client


def client_ip(request: Request) -> str:
    cached: str | None = getattr(request.state, "client_ip", None)
    if cached is not None:
        return cached
    settings = request.app.state.settings
    resolved = resolve_client_ip(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxy_networks,
    )
    request.state.client_ip = resolved
    return resolved
