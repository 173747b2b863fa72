"""Every query on threads and messages. A thread is reached only through the caller's own
participant row (`_joined_by`): someone who does not take part in a thread cannot find it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    Uuid,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest
from fitcoach.models import Message, MessageThread, ThreadParticipant, User


@dataclass(frozen=True)
class ThreadFilter:
    context: str | None = None
    participant_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ParticipantRow:
    thread_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    read_seq: int


def _joined_by(user_id: uuid.UUID | BindParameter[uuid.UUID]) -> Select[MessageThread]:
    """Threads `user_id` takes part in."""
    return select(MessageThread).join(
        ThreadParticipant,
        and_(ThreadParticipant.thread_id == MessageThread.id, ThreadParticipant.user_id == user_id),
    )


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@dataclass(frozen=True)
class UnreadGroup:
    """Messages from one sender in one thread, unread by `user_id` and in no digest yet."""

    user_id: uuid.UUID
    thread_id: uuid.UUID
    sender_name: str
    count: int
    last_seq: int


class ThreadsRepository:
    async def find_or_create_pair_thread(
        self, session: AsyncSession, pair: tuple[uuid.UUID, uuid.UUID], context: str, now: datetime
    ) -> uuid.UUID:
        """The one thread of the two people in `pair`, made if they have none. The unique pair
        key decides: of two transactions making it at once, the second waits for the first and
        then finds its thread."""
        pair_key = ":".join(sorted(str(user_id) for user_id in pair))
        insert = _insert(session)
        thread_id: uuid.UUID | None = await session.scalar(
            insert(MessageThread)
            .values(id=uuid.uuid4(), context=context, pair_key=pair_key, last_activity_at=now)
            .on_conflict_do_nothing(index_elements=["pair_key"])
            .returning(MessageThread.id)
        )
        if thread_id is not None:
            await session.execute(
                insert(ThreadParticipant),
                [
                    {"thread_id": thread_id, "user_id": user_id, "last_activity_at": now}
                    for user_id in pair
                ],
            )
            return thread_id
        found: uuid.UUID | None = await session.scalar(
            select(MessageThread.id).where(MessageThread.pair_key == pair_key)
        )
        assert found is not None  # the conflicting row is committed, or ours
        return found

    async def group_thread(
        self, session: AsyncSession, thread_id: uuid.UUID, contexts: Sequence[str]
    ) -> MessageThread | None:
        """The thread, if it is of one of `contexts`, whoever takes part: what an admin who
        moderates group threads reads."""
        thread: MessageThread | None = await session.scalar(
            select(MessageThread).where(
                MessageThread.id == thread_id, MessageThread.context.in_(contexts)
            )
        )
        return thread

    async def joined_thread(
        self, session: AsyncSession, user_id: uuid.UUID, thread_id: uuid.UUID
    ) -> MessageThread | None:
        thread: MessageThread | None = await session.scalar(
            _joined_by(user_id).where(MessageThread.id == thread_id)
        )
        return thread

    async def page_of_threads(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        where: ThreadFilter,
        page: PageRequest,
        count_limit: int,
    ) -> tuple[list[MessageThread], int]:
        conditions: list[ColumnElement[bool]] = []
        if where.participant_id is not None:
            other = ThreadParticipant.__table__.alias("other")
            conditions.append(
                exists().where(
                    other.c.thread_id == ThreadParticipant.thread_id,
                    other.c.user_id == where.participant_id,
                )
            )
        # Counted from the person's participant rows alone (the threads joined only to filter
        # by context), up to `count_limit`; the page walks the (user_id, last_activity_at)
        # index backwards. Neither reads all of someone's 10,000 threads.
        #
        # The person is written into the SQL, not bound: a prepared statement's generic plan
        # assumes the average person's two or three threads, and for an inbox of 10,000 it
        # joins them all and sorts (24 ms against 0.1 ms). SQLAlchemy still compiles the
        # statement once; PostgreSQL plans each inbox for what it holds.
        owner = bindparam("inbox_owner", user_id, type_=Uuid(), literal_execute=True)
        counted = select(ThreadParticipant.thread_id).where(
            ThreadParticipant.user_id == owner, *conditions
        )
        statement = _joined_by(owner).where(*conditions)
        if where.context is not None:
            counted = counted.join(
                MessageThread, MessageThread.id == ThreadParticipant.thread_id
            ).where(MessageThread.context == where.context)
            statement = statement.where(MessageThread.context == where.context)
        total = await session.scalar(
            select(func.count()).select_from(counted.limit(count_limit + 1).subquery())
        )
        threads = await session.scalars(
            statement.order_by(ThreadParticipant.last_activity_at.desc(), MessageThread.id.desc())
            .limit(page.page_size)
            .offset(page.offset)
        )
        return list(threads), int(total or 0)

    async def participants(
        self, session: AsyncSession, thread_ids: Sequence[uuid.UUID]
    ) -> list[ParticipantRow]:
        rows = await session.execute(
            select(ThreadParticipant.thread_id, User.id, User.name, ThreadParticipant.read_seq)
            .join(User, User.id == ThreadParticipant.user_id)
            .where(ThreadParticipant.thread_id.in_(thread_ids))
            .order_by(ThreadParticipant.thread_id, User.name, User.id)
        )
        return [
            ParticipantRow(thread_id=row[0], user_id=row[1], name=row[2], read_seq=row[3])
            for row in rows.all()
        ]

    async def last_messages(
        self, session: AsyncSession, thread_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Message]:
        result = await session.scalars(
            select(Message)
            .join(
                MessageThread,
                and_(MessageThread.id == Message.thread_id, MessageThread.last_seq == Message.seq),
            )
            .where(Message.thread_id.in_(thread_ids))
        )
        return {message.thread_id: message for message in result}

    async def unread_counts(
        self, session: AsyncSession, user_id: uuid.UUID, positions: Mapping[uuid.UUID, int]
    ) -> dict[uuid.UUID, int]:
        """What `user_id` has not read in each thread: others' messages past their read
        position there (`positions`, from the thread's participant rows the caller holds),
        deleted ones aside. One grouped query, each thread's part a seek on (thread_id, seq).

        Joining the participant rows instead lets a generic plan of the prepared statement
        find the user's rows through their (user_id, last_activity_at) index: every row of
        an inbox of 10,000 threads, for a page of 10."""
        if not positions:
            return {}
        rows = await session.execute(
            select(Message.thread_id, func.count())
            .where(
                or_(
                    *(
                        and_(Message.thread_id == thread_id, Message.seq > read_seq)
                        for thread_id, read_seq in positions.items()
                    )
                ),
                Message.sender_id != user_id,
                Message.deleted_at.is_(None),
            )
            .group_by(Message.thread_id)
        )
        return {thread_id: int(count) for thread_id, count in rows.all()}

    async def next_seq(self, session: AsyncSession, thread_id: uuid.UUID, now: datetime) -> int:
        """Number the thread's next message. The update locks the thread's row until commit
        (PostgreSQL), so messages sent at once take consecutive numbers."""
        seq = await session.scalar(
            update(MessageThread)
            .where(MessageThread.id == thread_id)
            .values(last_seq=MessageThread.last_seq + 1, last_activity_at=now)
            .returning(MessageThread.last_seq)
        )
        assert seq is not None
        await session.execute(
            update(ThreadParticipant)
            .where(ThreadParticipant.thread_id == thread_id)
            .values(last_activity_at=now)
        )
        return int(seq)

    async def add_message(self, session: AsyncSession, message: Message) -> Message:
        session.add(message)
        await session.flush()
        return message

    async def advance_read(
        self, session: AsyncSession, thread_id: uuid.UUID, user_id: uuid.UUID, seq: int
    ) -> bool:
        """Move the read position forward to `seq`; never back (an older receipt arriving late
        from another device changes nothing). Whether it moved."""
        result = await session.execute(
            update(ThreadParticipant)
            .where(
                ThreadParticipant.thread_id == thread_id,
                ThreadParticipant.user_id == user_id,
                ThreadParticipant.read_seq < seq,
            )
            .values(read_seq=seq)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def message_in_thread(
        self, session: AsyncSession, thread_id: uuid.UUID, message_id: uuid.UUID
    ) -> Message | None:
        message: Message | None = await session.scalar(
            select(Message).where(Message.id == message_id, Message.thread_id == thread_id)
        )
        return message

    async def message_seen_by(
        self, session: AsyncSession, user_id: uuid.UUID, message_id: uuid.UUID
    ) -> Message | None:
        """The message, if `user_id` takes part in its thread."""
        message: Message | None = await session.scalar(
            select(Message)
            .join(
                ThreadParticipant,
                and_(
                    ThreadParticipant.thread_id == Message.thread_id,
                    ThreadParticipant.user_id == user_id,
                ),
            )
            .where(Message.id == message_id)
        )
        return message

    async def messages_before(
        self, session: AsyncSession, thread_id: uuid.UUID, before_seq: int | None, limit: int
    ) -> list[Message]:
        """Newest first, up to `limit` messages numbered below `before_seq`."""
        statement = select(Message).where(Message.thread_id == thread_id)
        if before_seq is not None:
            statement = statement.where(Message.seq < before_seq)
        result = await session.scalars(statement.order_by(Message.seq.desc()).limit(limit))
        return list(result)

    async def undigested_unread(
        self, session: AsyncSession, sent_before: datetime
    ) -> list[UnreadGroup]:
        """Every recipient's messages sent before `sent_before` that they have neither read nor
        been sent in a digest, by thread and sender."""
        seen = case(
            (
                ThreadParticipant.read_seq > ThreadParticipant.digested_seq,
                ThreadParticipant.read_seq,
            ),
            else_=ThreadParticipant.digested_seq,
        )
        rows = await session.execute(
            select(
                ThreadParticipant.user_id,
                Message.thread_id,
                User.name,
                func.count(),
                func.max(Message.seq),
            )
            .join(MessageThread, MessageThread.id == ThreadParticipant.thread_id)
            .join(Message, Message.thread_id == ThreadParticipant.thread_id)
            .join(User, User.id == Message.sender_id)
            .where(
                MessageThread.last_seq > seen,
                Message.seq > seen,
                Message.sender_id != ThreadParticipant.user_id,
                Message.deleted_at.is_(None),
                Message.created_at <= sent_before,
            )
            .group_by(ThreadParticipant.user_id, Message.thread_id, User.name)
            .order_by(ThreadParticipant.user_id, Message.thread_id, User.name)
        )
        return [UnreadGroup(*row) for row in rows]

    async def mark_digested(
        self, session: AsyncSession, user_id: uuid.UUID, thread_id: uuid.UUID, up_to: int
    ) -> bool:
        """Move the user's digest position in the thread up to `up_to`; False if a concurrent
        digest already did (so the messages are told of once)."""
        result = await session.execute(
            update(ThreadParticipant)
            .where(
                ThreadParticipant.thread_id == thread_id,
                ThreadParticipant.user_id == user_id,
                ThreadParticipant.digested_seq < up_to,
            )
            .values(digested_seq=up_to)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


threads_repository = ThreadsRepository()
