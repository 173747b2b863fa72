"""Every query of group threads: a session's thread and a program's group thread, found or
made by what they belong to, their members added and removed, and the programs a customer
holds (what puts them in a program's group)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fitcoach.models import MessageThread, Product, Subscription, ThreadParticipant
from fitcoach.models.enums import SubscriptionType

# The billing states (commerce's) of a bought subscription that keep its program: a past-due
# one keeps access while its renewal is retried; an expired or canceled one has ended.
HOLDING = ("active", "past_due")


@dataclass(frozen=True)
class GroupOf:
    """What a group thread belongs to: `column` names it on the thread, `context` its kind."""

    column: InstrumentedAttribute[uuid.UUID | None]
    context: str
    owner_id: uuid.UUID


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class GroupsRepository:
    async def thread_of(self, session: AsyncSession, group: GroupOf) -> MessageThread | None:
        thread: MessageThread | None = await session.scalar(
            select(MessageThread).where(group.column == group.owner_id)
        )
        return thread

    async def find_or_create_thread(
        self, session: AsyncSession, group: GroupOf, now: datetime
    ) -> MessageThread:
        """The group's one thread, made if it has none. The link is unique: of two handlers
        making it at once, the second waits for the first and then finds its thread."""
        await session.execute(
            _insert(session)(MessageThread)
            .values(
                {
                    MessageThread.id: uuid.uuid4(),
                    MessageThread.context: group.context,
                    group.column: group.owner_id,
                    MessageThread.last_activity_at: now,
                }
            )
            .on_conflict_do_nothing(index_elements=[group.column.key])
        )
        thread = await self.thread_of(session, group)
        assert thread is not None  # ours, or the committed one we conflicted with
        return thread

    async def member_ids(self, session: AsyncSession, thread_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await session.scalars(
            select(ThreadParticipant.user_id).where(ThreadParticipant.thread_id == thread_id)
        )
        return set(rows)

    async def add_members(
        self, session: AsyncSession, thread_id: uuid.UUID, user_ids: Collection[uuid.UUID]
    ) -> None:
        """Add those not in yet (a redelivered event adds no one twice). A newcomer has read
        what came before they joined: the history is theirs to scroll, not counted unread."""
        last = select(MessageThread.last_seq).where(MessageThread.id == thread_id)
        activity = select(MessageThread.last_activity_at).where(MessageThread.id == thread_id)
        for user_id in sorted(user_ids):
            await session.execute(
                _insert(session)(ThreadParticipant)
                .values(
                    thread_id=thread_id,
                    user_id=user_id,
                    read_seq=last.scalar_subquery(),
                    digested_seq=last.scalar_subquery(),
                    last_activity_at=activity.scalar_subquery(),
                )
                .on_conflict_do_nothing(index_elements=["thread_id", "user_id"])
            )

    async def remove_members(
        self, session: AsyncSession, thread_id: uuid.UUID, user_ids: Collection[uuid.UUID]
    ) -> None:
        if user_ids:
            await session.execute(
                delete(ThreadParticipant).where(
                    ThreadParticipant.thread_id == thread_id,
                    ThreadParticipant.user_id.in_(user_ids),
                )
            )

    async def close(self, session: AsyncSession, thread_id: uuid.UUID, now: datetime) -> None:
        await session.execute(
            update(MessageThread)
            .where(MessageThread.id == thread_id, MessageThread.closed_at.is_(None))
            .values(closed_at=now)
        )

    async def held_programs(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> dict[uuid.UUID, uuid.UUID]:
        """The programs the user holds a live paid subscription to, each with its coach."""
        rows = await session.execute(
            select(Product.id, Product.coach_id)
            .join(Subscription, Subscription.product_id == Product.id)
            .where(
                Subscription.user_id == user_id,
                Subscription.type == SubscriptionType.paid.value,
                Subscription.status.in_(HOLDING),
            )
        )
        return {row.id: row.coach_id for row in rows}

    async def program_threads_joined(
        self, session: AsyncSession, user_id: uuid.UUID, context: str
    ) -> dict[uuid.UUID, uuid.UUID]:
        """The program group threads the user is in as a customer (not as the program's
        coach), by program."""
        rows = await session.execute(
            select(Product.id, MessageThread.id.label("thread_id"))
            .join(
                ThreadParticipant,
                (ThreadParticipant.thread_id == MessageThread.id)
                & (ThreadParticipant.user_id == user_id),
            )
            .join(Product, Product.id == MessageThread.product_id)
            .where(MessageThread.context == context, Product.coach_id != user_id)
        )
        return {row.id: row.thread_id for row in rows}


groups_repository = GroupsRepository()
