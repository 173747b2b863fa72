"""The private calendar feed (its token is the credential) and rotating its token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from fitcoach.access.dependencies import CurrentUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import ApiModel, DataEnvelope, error_responses, ok
from fitcoach.scheduling.feed.service import feed_service

router = APIRouter(tags=["scheduling"])


class CalendarFeedOut(ApiModel):
    token: str
    url: str


@router.post(
    "/calendar/token",
    response_model=DataEnvelope[CalendarFeedOut],
    status_code=201,
    responses=error_responses(401),
    summary="A new private calendar-feed address; the previous one stops working",
)
async def rotate_calendar_feed(
    actor: CurrentUser, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[CalendarFeedOut]:
    token = await feed_service.rotate(session, actor.id, settings, clock.now())
    return ok(CalendarFeedOut(token=token, url=f"/api/v1/calendar/{token}.ics"))


@router.get(
    "/calendar/{token}.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The iCalendar feed"},
        **error_responses(404, 422),
    },
    summary="Your sessions as an iCalendar feed (anyone holding the private address)",
)
async def calendar_feed(
    token: Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    session: ReadSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    body = await feed_service.document(session, token, settings, clock.now())
    return Response(body, media_type="text/calendar; charset=utf-8")
