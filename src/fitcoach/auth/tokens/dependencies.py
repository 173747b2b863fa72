"""Injectables of the routes that issue tokens: who the client is (kept with its session), and
the header that keeps their answers out of every cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from fitcoach.auth.tokens.service import ClientInfo
from fitcoach.http.dependencies import ClientIp


async def _client(request: Request, ip: ClientIp) -> ClientInfo:
    # Read from the request, not declared as a Header parameter: the user agent is recorded
    # with the session, it is not an input of the operation a client should be asked for.
    return ClientInfo(ip=ip, user_agent=request.headers.get("user-agent"))


async def no_store(response: Response) -> None:
    """Answers carrying tokens or OTP results must not be kept by a browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"


ClientDep = Annotated[ClientInfo, Depends(_client)]
NO_STORE = Depends(no_store)
