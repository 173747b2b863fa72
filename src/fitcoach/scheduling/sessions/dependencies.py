"""Who books places, and the calendar's query string parsed into a CalendarQuery."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from fitcoach.access.dependencies import require_role
from fitcoach.access.principal import Principal
from fitcoach.http.pagination import PageRequestDep
from fitcoach.models.enums import Role
from fitcoach.scheduling.sessions.calendar import MAX_RANGE_DAYS, CalendarQuery, CalendarRole
from fitcoach.scheduling.sessions.rules import SessionStatus

CustomerUser = Annotated[
    Principal, require_role(Role.CUSTOMER, message="Only customers book places in sessions")
]


async def _calendar_query(
    page: PageRequestDep,
    start: Annotated[
        datetime,
        Query(description="From this moment (an offset, or wall clock in `timezone`)"),
    ],
    end: Annotated[
        datetime,
        Query(description=f"Until this moment; after start, at most {MAX_RANGE_DAYS} days on"),
    ],
    timezone: Annotated[
        str, Query(max_length=64, description="IANA zone the local times are shown in")
    ] = "UTC",
    role: Annotated[
        CalendarRole | None,
        Query(description="customer: your bookings; coach: your sessions (default by role)"),
    ] = None,
    status: Annotated[SessionStatus | None, Query()] = None,
    coach_id: Annotated[
        uuid.UUID | None, Query(alias="coachId", description="Admins: that coach's calendar")
    ] = None,
) -> CalendarQuery:
    return CalendarQuery(
        start=start,
        end=end,
        timezone=timezone,
        role=role,
        status=status,
        coach_id=coach_id,
        page=page,
    )


CalendarQueryDep = Annotated[CalendarQuery, Depends(_calendar_query)]
