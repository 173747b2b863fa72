"""The thread list's filters and the message list's cursor, parsed from the query string."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from fitcoach.messaging.threads.repository import ThreadFilter
from fitcoach.messaging.threads.service import ThreadContext

DEFAULT_MESSAGES = 50
MAX_MESSAGES = 100


async def _thread_filter(
    context: Annotated[ThreadContext | None, Query(description="Only threads of this kind")] = None,
    participant_id: Annotated[
        uuid.UUID | None,
        Query(alias="participantId", description="Only threads this person takes part in"),
    ] = None,
) -> ThreadFilter:
    return ThreadFilter(
        context=context.value if context is not None else None, participant_id=participant_id
    )


ThreadFilterDep = Annotated[ThreadFilter, Depends(_thread_filter)]

CursorQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[1-9][0-9]{0,8}$",
        description="A page's nextCursor: continue with the messages before it",
    ),
]
LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_MESSAGES, description="Messages per page, newest first")
]
