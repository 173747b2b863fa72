"""The live channel: `GET /stream` (Server-Sent Events of the caller's notifications and, later,
messages and session changes) and the single-use tickets that open it from a browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from sse_starlette import EventSourceResponse

from fitcoach.access.dependencies import CurrentUser
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.stream.dependencies import OpenStreamDep
from fitcoach.stream.schemas import StreamTicketOut
from fitcoach.stream.service import stream_service

router = APIRouter(tags=["stream"])


@router.post(
    "/stream/tickets",
    response_model=DataEnvelope[StreamTicketOut],
    status_code=201,
    responses=error_responses(401, 403),
    summary="A short-lived, single-use ticket to open the stream with (`?ticket=`)",
)
async def create_stream_ticket(
    user: CurrentUser, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[StreamTicketOut]:
    issued = stream_service.issue_ticket(
        session, settings.signing_secret, (user.id, user.session_id), clock.now()
    )
    return ok(StreamTicketOut(ticket=issued.ticket, expires_at=issued.expires_at))


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"},
        **error_responses(401, 403, 422),
    },
    summary="The caller's live events (Server-Sent Events); resumes after `Last-Event-ID`",
)
async def open_stream(
    stream: OpenStreamDep,
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=2**63 - 1)] = None,
) -> EventSourceResponse:
    return EventSourceResponse(
        stream.events(last_event_id), ping=stream.heartbeat_seconds, send_timeout=30
    )
