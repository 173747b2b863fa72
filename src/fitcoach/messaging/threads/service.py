"""Threads and messages: who may write to whom, finding or making the one thread of two people,
writing in a group thread (a session's, a program's: its participants, kept by
messaging.groups), numbering messages in their thread, read positions (and so unread counts
and receipts), and changing or deleting one's own message within the edit window."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.customers.service import customers_service
from fitcoach.http.pagination import PageRequest
from fitcoach.messaging.attachments.service import Holder, attachments_service
from fitcoach.messaging.threads.events import MessageSent
from fitcoach.messaging.threads.exceptions import (
    EditWindowClosed,
    EmptyMessage,
    MessageDeleted,
    MessageNotFound,
    NotYourMessage,
    RecipientNotFound,
    RecipientNotInThread,
    RecipientUnavailable,
    ThreadClosed,
    ThreadNotFound,
    UnknownAttachment,
)
from fitcoach.messaging.threads.repository import (
    ParticipantRow,
    ThreadFilter,
    threads_repository,
)
from fitcoach.models import Actor, Message, MessageThread, User
from fitcoach.models.enums import SUPPORT_ROLES, Role
from fitcoach.stream.service import stream_service
from fitcoach.users.exceptions import UserNotFound
from fitcoach.users.service import user_service
from fitcoach.worker.events import record_event

PREVIEW_LENGTH = 80
# How far the thread list counts: past it, the total says "more than this", so a person with
# 10,000 threads is listed as fast as one with 10.
THREAD_COUNT_LIMIT = 1_000
ATTACHMENT_PREVIEW = "attachment"


class ThreadContext(StrEnum):
    direct = "direct"
    program_group = "program_group"
    support = "support"
    session = "session"


# Threads of a group whose membership follows what they belong to (messaging.groups keeps it):
# the participants write to each other without the one-to-one rule of who may write to whom,
# and admins may read them to moderate.
GROUP_CONTEXTS = (ThreadContext.session.value, ThreadContext.program_group.value)


@dataclass(frozen=True)
class MessageDraft:
    """`recipient_id` names the direct thread without `thread_id`; with it, it is optional and
    must be another participant when given."""

    recipient_id: uuid.UUID | None
    body: str
    attachments: list[uuid.UUID]
    thread_id: uuid.UUID | None = None


@dataclass(frozen=True)
class MessageView:
    message: Message
    read_by: list[uuid.UUID]


@dataclass(frozen=True)
class ThreadView:
    thread: MessageThread
    participants: list[ParticipantRow]
    last_message: Message | None
    unread: int


@dataclass(frozen=True)
class ThreadListing:
    threads: list[ThreadView]
    total: int


@dataclass(frozen=True)
class MessagePage:
    messages: list[MessageView]
    next_cursor: int | None


@dataclass(frozen=True)
class ReadState:
    thread_id: uuid.UUID
    unread: int


def preview_of(message: Message) -> str | None:
    """The message shortened for a list; "attachment" for a file without text; None once
    deleted."""
    if message.deleted_at is not None:
        return None
    text = (message.body or "").strip()
    if not text:
        return ATTACHMENT_PREVIEW if message.attachments else ""
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1].rstrip() + "…"


def message_payload(message: Message, read_by: list[uuid.UUID]) -> dict[str, Any]:
    """The message as the live stream carries it (the API's message shape)."""
    return {
        "id": str(message.id),
        "threadId": str(message.thread_id),
        "senderId": str(message.sender_id),
        "body": message.body,
        "attachments": list(message.attachments),
        "sentAt": message.created_at.isoformat(),
        "editedAt": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": message.deleted_at is not None,
        "readBy": [str(user_id) for user_id in read_by],
    }


def _positions_of(user_id: uuid.UUID, participants: list[ParticipantRow]) -> dict[uuid.UUID, int]:
    """How far `user_id` has read in each of these threads."""
    return {one.thread_id: one.read_seq for one in participants if one.user_id == user_id}


def _read_by(message: Message, participants: list[ParticipantRow]) -> list[uuid.UUID]:
    return [
        one.user_id
        for one in participants
        if one.user_id != message.sender_id and one.read_seq >= message.seq
    ]


def _is_support(person: Actor | User) -> bool:
    return any(person.has_role(role) for role in SUPPORT_ROLES)


class ThreadsService:
    async def threads(
        self, session: AsyncSession, actor: Actor, where: ThreadFilter, page: PageRequest
    ) -> ThreadListing:
        """A page of the actor's threads, latest activity first, in four queries."""
        rows, total = await threads_repository.page_of_threads(
            session, actor.id, where, page, THREAD_COUNT_LIMIT
        )
        ids = [thread.id for thread in rows]
        if not ids:
            return ThreadListing(threads=[], total=total)
        participants = await threads_repository.participants(session, ids)
        last = await threads_repository.last_messages(session, ids)
        unread = await threads_repository.unread_counts(
            session, actor.id, _positions_of(actor.id, participants)
        )
        by_thread: dict[uuid.UUID, list[ParticipantRow]] = {}
        for one in participants:
            by_thread.setdefault(one.thread_id, []).append(one)
        return ThreadListing(
            threads=[
                ThreadView(
                    thread=thread,
                    participants=by_thread.get(thread.id, []),
                    last_message=last.get(thread.id),
                    unread=unread.get(thread.id, 0),
                )
                for thread in rows
            ],
            total=total,
        )

    async def send(
        self, session: AsyncSession, sender: Actor, draft: MessageDraft, now: datetime
    ) -> MessageView:
        if not draft.body and not draft.attachments:
            raise EmptyMessage()
        if draft.thread_id is None:
            if draft.recipient_id is None:
                raise RecipientNotFound()
            recipient, context = await self._writable_recipient(session, sender, draft.recipient_id)
            thread_id = await threads_repository.find_or_create_pair_thread(
                session, (sender.id, recipient.id), context.value, now
            )
            recipient_ids = [recipient.id]
        else:
            thread_id, recipient_ids = await self._into_thread(
                session, sender, draft.thread_id, draft.recipient_id
            )
        if draft.attachments and not await attachments_service.attach(
            session, sender, draft.attachments, (Holder.thread, thread_id)
        ):
            raise UnknownAttachment()
        seq = await threads_repository.next_seq(session, thread_id, now)
        message = await threads_repository.add_message(
            session,
            Message(
                thread_id=thread_id,
                seq=seq,
                sender_id=sender.id,
                body=draft.body,
                attachments=[str(one) for one in draft.attachments],
            ),
        )
        await threads_repository.advance_read(session, thread_id, sender.id, seq)
        record_event(
            session,
            MessageSent(
                occurred_at=now,
                actor_id=sender.id,
                subject_type="message",
                subject_id=str(message.id),
                thread_id=thread_id,
                sender_name=sender.name,
                recipient_ids=recipient_ids,
                preview=preview_of(message) or "",
                message=message_payload(message, []),
            ),
        )
        return MessageView(message=message, read_by=[])

    async def messages(
        self,
        session: AsyncSession,
        actor: Actor,
        thread_id: uuid.UUID,
        cursor: int | None,
        limit: int,
    ) -> MessagePage:
        """Newest first; `cursor` (a page's next_cursor) continues with older messages. Its
        participants read a thread, and admins a group thread too (they moderate them)."""
        thread = await threads_repository.joined_thread(session, actor.id, thread_id)
        if thread is None and actor.has_role(Role.ADMIN):
            thread = await threads_repository.group_thread(session, thread_id, GROUP_CONTEXTS)
        if thread is None:
            raise ThreadNotFound()
        rows = await threads_repository.messages_before(session, thread.id, cursor, limit + 1)
        shown = rows[:limit]
        participants = await threads_repository.participants(session, [thread.id])
        return MessagePage(
            messages=[
                MessageView(message=one, read_by=_read_by(one, participants)) for one in shown
            ],
            next_cursor=shown[-1].seq if len(rows) > limit else None,
        )

    async def mark_read(
        self, session: AsyncSession, actor: Actor, thread_id: uuid.UUID, up_to: uuid.UUID
    ) -> ReadState:
        """Read up to message `up_to`: the actor's position moves there (never back) on every
        device; their other devices and the thread's other participants are told live."""
        thread = await self._joined(session, actor, thread_id)
        message = await threads_repository.message_in_thread(session, thread.id, up_to)
        if message is None:
            raise MessageNotFound()
        advanced = await threads_repository.advance_read(session, thread.id, actor.id, message.seq)
        participants = await threads_repository.participants(session, [thread.id])
        unread = (
            await threads_repository.unread_counts(
                session, actor.id, _positions_of(actor.id, participants)
            )
        ).get(thread.id, 0)
        if advanced:
            for one in participants:
                receipt: dict[str, Any] = {
                    "threadId": str(thread.id),
                    "userId": str(actor.id),
                    "upToMessageId": str(message.id),
                }
                if one.user_id == actor.id:
                    receipt["unreadCount"] = unread
                await stream_service.publish(session, one.user_id, "thread.read", receipt)
        return ReadState(thread_id=thread.id, unread=unread)

    async def edit(
        self,
        session: AsyncSession,
        actor: Actor,
        message_id: uuid.UUID,
        body: str,
        window: tuple[datetime, timedelta],
    ) -> MessageView:
        message = await self._own_changeable(session, actor, message_id, window)
        now = window[0]
        message.body = body
        message.edited_at = now
        await session.flush()
        return await self._announce(session, message, "message.edited")

    async def delete(
        self,
        session: AsyncSession,
        actor: Actor,
        message_id: uuid.UUID,
        window: tuple[datetime, timedelta],
    ) -> MessageView:
        message = await self._own_changeable(session, actor, message_id, window)
        message.body = None
        message.attachments = []
        message.deleted_at = window[0]
        await session.flush()
        return await self._announce(session, message, "message.deleted")

    async def _announce(self, session: AsyncSession, message: Message, kind: str) -> MessageView:
        participants = await threads_repository.participants(session, [message.thread_id])
        view = MessageView(message=message, read_by=_read_by(message, participants))
        payload = message_payload(message, view.read_by)
        for one in participants:
            await stream_service.publish(session, one.user_id, kind, payload)
        return view

    async def _own_changeable(
        self,
        session: AsyncSession,
        actor: Actor,
        message_id: uuid.UUID,
        window: tuple[datetime, timedelta],
    ) -> Message:
        message = await threads_repository.message_seen_by(session, actor.id, message_id)
        if message is None:
            raise MessageNotFound()
        if message.sender_id != actor.id:
            raise NotYourMessage()
        if message.deleted_at is not None:
            raise MessageDeleted()
        now, length = window
        if now - message.created_at > length:
            raise EditWindowClosed()
        return message

    async def _joined(
        self, session: AsyncSession, actor: Actor, thread_id: uuid.UUID
    ) -> MessageThread:
        thread = await threads_repository.joined_thread(session, actor.id, thread_id)
        if thread is None:
            raise ThreadNotFound()
        return thread

    async def _into_thread(
        self,
        session: AsyncSession,
        sender: Actor,
        thread_id: uuid.UUID,
        recipient_id: uuid.UUID | None,
    ) -> tuple[uuid.UUID, list[uuid.UUID]]:
        """The thread the sender writes in and who receives: its other participants. A group
        thread takes messages while it is open; a direct or support thread keeps the rule of
        who may write to whom (a coach no longer assigned writes no more to a customer)."""
        thread = await self._joined(session, sender, thread_id)
        members = {
            one.user_id for one in await threads_repository.participants(session, [thread.id])
        }
        others = sorted(members - {sender.id})
        if recipient_id is not None and recipient_id not in others:
            raise RecipientNotInThread()
        if thread.context in GROUP_CONTEXTS:
            if thread.closed_at is not None:
                raise ThreadClosed()
        elif others:
            await self._writable_recipient(session, sender, recipient_id or others[0])
        return thread.id, others

    async def _writable_recipient(
        self, session: AsyncSession, sender: Actor, recipient_id: uuid.UUID
    ) -> tuple[User, ThreadContext]:
        """Who may write to whom: support (admins and support agents) to anyone and anyone to
        support; a coach to their own customers and a customer to their coaches. Anyone else is
        404: a customer cannot learn who else has an account."""
        if recipient_id == sender.id:
            raise RecipientNotFound()
        try:
            recipient = await user_service.get(session, recipient_id)
        except UserNotFound as exc:
            raise RecipientNotFound() from exc
        if not await self._may_write(session, sender, recipient):
            raise RecipientNotFound()
        if recipient.is_blocked:
            raise RecipientUnavailable()
        staff = (*SUPPORT_ROLES, Role.COACH)
        customer_with_support = (
            _is_support(sender) and not any(recipient.has_role(r) for r in staff)
        ) or (_is_support(recipient) and not any(sender.has_role(r) for r in staff))
        return recipient, ThreadContext.support if customer_with_support else ThreadContext.direct

    async def _may_write(self, session: AsyncSession, sender: Actor, recipient: User) -> bool:
        if _is_support(sender) or _is_support(recipient):
            return True
        if (
            sender.has_role(Role.COACH)
            and recipient.has_role(Role.CUSTOMER)
            and await customers_service.is_assigned(session, sender.id, recipient.id)
        ):
            return True
        if sender.has_role(Role.CUSTOMER) and recipient.has_role(Role.COACH):
            return await customers_service.is_assigned(session, recipient.id, sender.id)
        return False


threads_service = ThreadsService()
