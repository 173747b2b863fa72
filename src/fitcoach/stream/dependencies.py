"""Who opens a stream: the bearer of an access token, or of a stream ticket (browsers'
EventSource cannot send an Authorization header)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.access.dependencies import BearerCredentials, authenticate_bearer, live_principal
from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.db.session import sessionmaker_of
from fitcoach.stream.broker import StreamBroker
from fitcoach.stream.exceptions import InvalidStreamTicket
from fitcoach.stream.live import OpenStream, StreamCaller
from fitcoach.stream.service import stream_service


async def _open_stream(
    request: Request,
    credentials: BearerCredentials,
    ticket: Annotated[
        str | None,
        Query(max_length=128, description="A ticket from POST /stream/tickets, for EventSource"),
    ] = None,
) -> OpenStream:
    settings: Settings = request.app.state.settings
    clock: Clock = request.app.state.clock
    if ticket is not None:
        redeemed = await stream_service.redeem_ticket(
            sessionmaker_of(request), settings.signing_secret, ticket, clock.now()
        )
        if redeemed is None:
            raise InvalidStreamTicket()
        caller = StreamCaller(user_id=redeemed[0], session_id=redeemed[1])
    else:
        claims = authenticate_bearer(request, credentials)
        caller = StreamCaller(user_id=claims.user_id, session_id=claims.session_id)
    # A session of its own, closed at once: the request's read session would stay checked out
    # for as long as the stream is open.
    read_only: async_sessionmaker[AsyncSession] = request.app.state.read_only_sessionmaker
    async with read_only() as session:
        await live_principal(session, caller.user_id, caller.session_id)
    broker: StreamBroker = request.app.state.stream_broker
    return OpenStream(
        caller=caller,
        broker=broker,
        sessionmaker=sessionmaker_of(request),
        read_only_sessionmaker=read_only,
        heartbeat_seconds=settings.stream_heartbeat_seconds,
        max_seconds=settings.stream_max_seconds,
    )


OpenStreamDep = Annotated[OpenStream, Depends(_open_stream)]
