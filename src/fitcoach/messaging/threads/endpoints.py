"""Threads and messages (api-design §5): the caller's threads, sending (finding or making the
direct thread, or into a group thread by its id), a thread's messages by cursor, read
receipts, and changing or deleting one's own message within the edit window."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentUser, user_rate_limit
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import MessageIdPath, ThreadIdPath
from fitcoach.messaging.threads.dependencies import (
    DEFAULT_MESSAGES,
    CursorQuery,
    LimitQuery,
    ThreadFilterDep,
)
from fitcoach.messaging.threads.schemas import (
    MessageEditIn,
    MessageIn,
    MessageOut,
    MessagePageOut,
    ReadIn,
    ReadStateOut,
    ThreadOut,
)
from fitcoach.messaging.threads.service import THREAD_COUNT_LIMIT, threads_service

router = APIRouter(tags=["messaging"])

SEND_LIMIT = "60/minute"
CHANGE_LIMIT = "60/minute"


@router.get(
    "/threads",
    response_model=DataEnvelope[Page[ThreadOut]],
    responses=error_responses(401, 422),
    summary="The caller's threads, latest activity first, with previews and unread counts",
)
async def list_threads(
    actor: CurrentUser, session: ReadSession, where: ThreadFilterDep, page: PageRequestDep
) -> DataEnvelope[Page[ThreadOut]]:
    listing = await threads_service.threads(session, actor, where, page)
    return ok(
        Page[ThreadOut].of(
            [ThreadOut.of(one) for one in listing.threads],
            listing.total,
            page,
            count_limit=THREAD_COUNT_LIMIT,
        )
    )


@router.post(
    "/messages",
    response_model=DataEnvelope[MessageOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary=(
        "Send a message: a customer to their coaches and support, a coach to their customers, "
        "an admin to anyone; a group thread's participants to each other"
    ),
    dependencies=[user_rate_limit("messages.send", SEND_LIMIT)],
)
async def send_message(
    body: MessageIn, sender: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[MessageOut]:
    view = await threads_service.send(session, sender, body.to_draft(), clock.now())
    return ok(MessageOut.of(view))


@router.get(
    "/threads/{threadId}/messages",
    response_model=DataEnvelope[MessagePageOut],
    responses=error_responses(401, 404, 422),
    summary=(
        "A thread's messages, newest first, with who has read each (participants; admins for "
        "session and program-group threads)"
    ),
)
async def list_messages(
    thread_id: ThreadIdPath,
    actor: CurrentUser,
    session: ReadSession,
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_MESSAGES,
) -> DataEnvelope[MessagePageOut]:
    found = await threads_service.messages(
        session, actor, thread_id, int(cursor) if cursor else None, limit
    )
    return ok(
        MessagePageOut(
            items=[MessageOut.of(one) for one in found.messages],
            next_cursor=str(found.next_cursor) if found.next_cursor is not None else None,
        )
    )


@router.post(
    "/threads/{threadId}/read",
    response_model=DataEnvelope[ReadStateOut],
    responses=error_responses(400, 401, 404, 422),
    summary="Mark a thread read up to a message, on every device (participants)",
)
async def mark_thread_read(
    thread_id: ThreadIdPath, body: ReadIn, actor: CurrentUser, session: DbSession
) -> DataEnvelope[ReadStateOut]:
    state = await threads_service.mark_read(session, actor, thread_id, body.up_to_message_id)
    return ok(ReadStateOut(thread_id=state.thread_id, unread_count=state.unread))


@router.patch(
    "/messages/{messageId}",
    response_model=DataEnvelope[MessageOut],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Change one's own message within the edit window (its sender)",
    dependencies=[user_rate_limit("messages.change", CHANGE_LIMIT)],
)
async def edit_message(
    message_id: MessageIdPath,
    body: MessageEditIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
) -> DataEnvelope[MessageOut]:
    window = (clock.now(), timedelta(seconds=settings.message_edit_window_seconds))
    view = await threads_service.edit(session, actor, message_id, body.body, window)
    return ok(MessageOut.of(view))


@router.delete(
    "/messages/{messageId}",
    response_model=DataEnvelope[MessageOut],
    responses=error_responses(401, 403, 404, 409, 422, 429),
    summary="Delete one's own message within the edit window; it shows as deleted (its sender)",
    dependencies=[user_rate_limit("messages.change", CHANGE_LIMIT)],
)
async def delete_message(
    message_id: MessageIdPath,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
) -> DataEnvelope[MessageOut]:
    window = (clock.now(), timedelta(seconds=settings.message_edit_window_seconds))
    view = await threads_service.delete(session, actor, message_id, window)
    return ok(MessageOut.of(view))
