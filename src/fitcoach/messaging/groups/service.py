"""Group threads kept in step with what they belong to. A scheduled session has one thread
(context `session`) with its coach and the customers seated in it; a program (a catalog
product) has one group thread (context `program_group`) with its coach and the customers who
hold a live paid subscription to it.

Each sync reads the current state (the session's roster, the customer's subscriptions), never
the event's own account of a change: a redelivered or late event then changes nothing that a
newer one settled, and running a sync twice is running it once.

- A session's thread is made with its first customer (a session nobody booked clutters no
  coach's thread list). A customer who gives their place back leaves it (their participant
  row goes, so they neither read nor write it; booking again brings them back). A canceled
  session's thread is closed: its participants keep reading it, nobody writes to it.
- A program's thread is made with its first buyer; the program's coach is in it. A customer
  whose subscription ends (expired, canceled) leaves it; a renewal or a new order puts them
  back."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.messaging.groups.repository import GroupOf, groups_repository
from fitcoach.messaging.threads.service import ThreadContext
from fitcoach.models import MessageThread
from fitcoach.scheduling.sessions.service import session_service


def _of_session(session_id: uuid.UUID) -> GroupOf:
    return GroupOf(MessageThread.session_id, ThreadContext.session.value, session_id)


def _of_program(product_id: uuid.UUID) -> GroupOf:
    return GroupOf(MessageThread.product_id, ThreadContext.program_group.value, product_id)


class GroupThreadsService:
    async def follow_session(
        self, session: AsyncSession, session_id: uuid.UUID, now: datetime
    ) -> None:
        """The session's thread as the session stands: made with its first customer, its
        coach and seated customers in, everyone else out; closed once it is canceled (its
        members kept, so they can still read what was said)."""
        roster = await session_service.roster(session, session_id)
        if roster is None:
            return
        group = _of_session(session_id)
        thread = await groups_repository.thread_of(session, group)
        if roster.canceled:
            if thread is not None:
                await groups_repository.close(session, thread.id, now)
            return
        if thread is None:
            if not roster.customer_ids:
                return
            thread = await groups_repository.find_or_create_thread(session, group, now)
        wanted = {roster.coach_id, *roster.customer_ids}
        current = await groups_repository.member_ids(session, thread.id)
        await groups_repository.add_members(session, thread.id, wanted - current)
        await groups_repository.remove_members(session, thread.id, current - wanted)

    async def follow_programs_of(
        self, session: AsyncSession, customer_id: uuid.UUID, now: datetime
    ) -> None:
        """The customer in the group thread of each program they hold (with its coach), and
        out of those they no longer hold."""
        held = await groups_repository.held_programs(session, customer_id)
        for product_id, coach_id in held.items():
            thread = await groups_repository.find_or_create_thread(
                session, _of_program(product_id), now
            )
            await groups_repository.add_members(session, thread.id, {coach_id, customer_id})
        joined = await groups_repository.program_threads_joined(
            session, customer_id, ThreadContext.program_group.value
        )
        for product_id, thread_id in joined.items():
            if product_id not in held:
                await groups_repository.remove_members(session, thread_id, {customer_id})


group_threads_service = GroupThreadsService()
