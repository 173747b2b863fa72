"""Injectables of the routes that issue tokens: who the client is (kept with its session), and
the header that keeps their answers out of every cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response

from fitcoach.auth.tokens.service import ClientInfo
from fitcoach.http.dependencies import ClientIp


async def _client(ip: ClientIp, user_agent: Annotated[str | None, Header()] = None) -> ClientInfo:
    return ClientInfo(ip=ip, user_agent=user_agent)


async def no_store(response: Response) -> None:
    """Answers carrying tokens or OTP results must not be kept by a browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"


ClientDep = Annotated[ClientInfo, Depends(_client)]
NO_STORE = Depends(no_store)
