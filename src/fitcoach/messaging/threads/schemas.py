from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import at_least_one_of, label
from fitcoach.messaging.threads.service import (
    MessageDraft,
    MessageView,
    ThreadContext,
    ThreadView,
    preview_of,
)

BODY_MAX = 4_000
MAX_ATTACHMENTS = 10

_EXAMPLE_USER = "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10"
_EXAMPLE_MESSAGE = "8d1e2f3a-4b5c-4d6e-8f70-112233445566"
_EXAMPLE_THREAD = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"


class MessageIn(StrictApiModel):
    """Without threadId, the message goes to the one direct thread of the caller and the
    recipient (made on the first message); with it, to that thread (a session's or a program's
    group thread included), where recipientId may be left out and, if given, must be another
    participant. A body may be empty only when the message carries attachments."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"recipientId": _EXAMPLE_USER, "body": "See you at 7!", "attachments": []},
                {"threadId": _EXAMPLE_THREAD, "body": "Bring a mat", "attachments": []},
            ],
            **at_least_one_of("threadId", "recipientId"),
        }
    )

    thread_id: uuid.UUID | None = Field(
        default=None, description="The thread to write in; required without recipientId"
    )
    recipient_id: uuid.UUID | None = Field(
        default=None,
        description="Who the direct thread is with; required without threadId, optional with it",
    )
    body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=BODY_MAX)]
    attachments: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="Ids of uploaded files that passed their scan",
    )

    never_null = frozenset({"attachments"})

    @model_validator(mode="after")
    def _names_a_thread(self) -> Self:
        if self.thread_id is None and self.recipient_id is None:
            raise ValueError("recipientId is required without threadId")
        return self

    def to_draft(self) -> MessageDraft:
        return MessageDraft(
            recipient_id=self.recipient_id,
            body=self.body,
            attachments=list(dict.fromkeys(self.attachments)),
            thread_id=self.thread_id,
        )


class MessageEditIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "See you at 8!"}]})

    body: Annotated[str, label(BODY_MAX)]


class ReadIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"upToMessageId": _EXAMPLE_MESSAGE}]})

    up_to_message_id: uuid.UUID = Field(
        description="The newest message read; every earlier one counts as read too"
    )


class ParticipantOut(ApiModel):
    id: uuid.UUID
    name: str


class LastMessageOut(ApiModel):
    id: uuid.UUID
    sender_id: uuid.UUID
    preview: str | None = Field(
        description='Shortened text; "attachment" for a file without text; null once deleted'
    )
    deleted: bool
    sent_at: datetime


class ThreadOut(ApiModel):
    id: uuid.UUID
    context: ThreadContext = Field(
        description="direct (two people), support, session (a scheduled session's coach and "
        "booked customers) or program_group (a program's coach and its customers)"
    )
    session_id: uuid.UUID | None = Field(
        description="The session a session thread belongs to (null for other contexts, or "
        "once the session was deleted)"
    )
    product_id: uuid.UUID | None = Field(
        description="The program (catalog product) a program_group thread belongs to"
    )
    closed_at: datetime | None = Field(
        description="When the thread stopped taking messages (its session was canceled): still "
        "readable, a message to it is 409 thread_closed"
    )
    participants: list[ParticipantOut]
    last_message: LastMessageOut | None
    unread_count: int = Field(description="Others' messages the caller has not read")
    last_activity_at: datetime

    @classmethod
    def of(cls, view: ThreadView) -> ThreadOut:
        last = view.last_message
        return cls(
            id=view.thread.id,
            context=ThreadContext(view.thread.context),
            session_id=view.thread.session_id,
            product_id=view.thread.product_id,
            closed_at=view.thread.closed_at,
            participants=[
                ParticipantOut(id=one.user_id, name=one.name) for one in view.participants
            ],
            last_message=LastMessageOut(
                id=last.id,
                sender_id=last.sender_id,
                preview=preview_of(last),
                deleted=last.deleted_at is not None,
                sent_at=last.created_at,
            )
            if last is not None
            else None,
            unread_count=view.unread,
            last_activity_at=view.thread.last_activity_at,
        )


class MessageOut(ApiModel):
    id: uuid.UUID
    thread_id: uuid.UUID
    sender_id: uuid.UUID
    body: str | None = Field(description="null once deleted")
    attachments: list[uuid.UUID]
    sent_at: datetime
    edited_at: datetime | None
    deleted: bool
    read_by: list[uuid.UUID] = Field(description="Participants who have read this message")

    @classmethod
    def of(cls, view: MessageView) -> MessageOut:
        message = view.message
        return cls(
            id=message.id,
            thread_id=message.thread_id,
            sender_id=message.sender_id,
            body=message.body,
            attachments=[uuid.UUID(one) for one in message.attachments],
            sent_at=message.created_at,
            edited_at=message.edited_at,
            deleted=message.deleted_at is not None,
            read_by=view.read_by,
        )


class MessagePageOut(ApiModel):
    items: list[MessageOut] = Field(description="Newest first")
    next_cursor: str | None = Field(
        description="Pass as cursor for older messages; null at the start"
    )


class ReadStateOut(ApiModel):
    thread_id: uuid.UUID
    unread_count: int
