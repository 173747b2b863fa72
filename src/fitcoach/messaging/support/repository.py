"""Every query of support tickets. A ticket is reached through `_readable_by`: its requester's
own, or any for support staff (agents and admins)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fitcoach.http.pagination import PageRequest
from fitcoach.models import SupportAgent, SupportReply, SupportTicket, User, UserRole
from fitcoach.models.enums import Role

# Tickets an agent is still working on: what "fewest open tickets" counts.
OPEN_STATUSES = ("open", "pending_customer", "reopened")
# Tickets whose clock runs: not waiting for the customer, not done.
RUNNING_STATUSES = ("open", "reopened")


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    priority: str | None = None
    agent_id: uuid.UUID | None = None
    requester_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Reader:
    """Who reads: `staff` see every ticket, others only those they asked."""

    user_id: uuid.UUID
    staff: bool


def _readable_by(reader: Reader) -> Select[SupportTicket]:
    statement = select(SupportTicket)
    if not reader.staff:
        statement = statement.where(SupportTicket.requester_id == reader.user_id)
    return statement


def _filtered(statement: Select[Any], where: TicketFilter) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if where.status is not None:
        conditions.append(SupportTicket.status == where.status)
    if where.priority is not None:
        conditions.append(SupportTicket.priority == where.priority)
    if where.agent_id is not None:
        conditions.append(SupportTicket.agent_id == where.agent_id)
    if where.requester_id is not None:
        conditions.append(SupportTicket.requester_id == where.requester_id)
    return statement.where(*conditions)


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class SupportRepository:
    async def add(self, session: AsyncSession, row: SupportTicket | SupportReply) -> None:
        session.add(row)
        await session.flush()

    async def readable(
        self, session: AsyncSession, reader: Reader, ticket_id: uuid.UUID, *, lock: bool = False
    ) -> SupportTicket | None:
        statement = _readable_by(reader).where(SupportTicket.id == ticket_id)
        if lock:
            statement = statement.with_for_update()
        found: SupportTicket | None = await session.scalar(statement)
        return found

    async def page(
        self, session: AsyncSession, reader: Reader, where: TicketFilter, page: PageRequest
    ) -> tuple[list[SupportTicket], int]:
        """Newest first."""
        statement = _filtered(_readable_by(reader), where)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await session.scalars(
            statement.order_by(SupportTicket.created_at.desc(), SupportTicket.id.desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
        return list(rows), int(total or 0)

    async def replies(self, session: AsyncSession, ticket_id: uuid.UUID) -> list[SupportReply]:
        rows = await session.scalars(
            select(SupportReply)
            .where(SupportReply.ticket_id == ticket_id)
            .order_by(SupportReply.created_at, SupportReply.id)
        )
        return list(rows)

    async def names(self, session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        rows = await session.execute(select(User.id, User.name).where(User.id.in_(ids)))
        return {row[0]: row[1] for row in rows}

    async def lock_available_agents(self, session: AsyncSession) -> list[SupportAgent]:
        """The available, unblocked support agents, locked in one order: a concurrent
        assignment waits here until this transaction ends, and then counts its ticket."""
        await session.execute(
            _insert(session)(SupportAgent)
            .from_select(
                ["user_id", "created_at", "updated_at"],
                select(UserRole.user_id, func.now(), func.now()).where(
                    UserRole.role == Role.SUPPORT_AGENT.value
                ),
            )
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        rows = await session.scalars(
            select(SupportAgent)
            .join(User, User.id == SupportAgent.user_id)
            .join(
                UserRole,
                (UserRole.user_id == SupportAgent.user_id)
                & (UserRole.role == Role.SUPPORT_AGENT.value),
            )
            .where(SupportAgent.available.is_(True), User.is_blocked.is_(False))
            .order_by(SupportAgent.user_id)
            .with_for_update(of=SupportAgent)
        )
        return list(rows)

    async def open_counts(
        self, session: AsyncSession, agent_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        rows = await session.execute(
            select(SupportTicket.agent_id, func.count())
            .where(SupportTicket.agent_id.in_(agent_ids), SupportTicket.status.in_(OPEN_STATUSES))
            .group_by(SupportTicket.agent_id)
        )
        return {row[0]: row[1] for row in rows if row[0] is not None}

    async def set_availability(
        self, session: AsyncSession, user_id: uuid.UUID, available: bool
    ) -> None:
        await session.execute(
            _insert(session)(SupportAgent)
            .values(
                user_id=user_id, available=available, created_at=func.now(), updated_at=func.now()
            )
            .on_conflict_do_update(index_elements=["user_id"], set_={"available": available})
        )

    async def flag_due(
        self,
        session: AsyncSession,
        due: InstrumentedAttribute[datetime | None],
        flag: InstrumentedAttribute[bool],
        now: datetime,
    ) -> list[SupportTicket]:
        """Set `flag` on every running ticket whose `due` instant has passed and that lacks it;
        the tickets flagged now. One conditional UPDATE: of two sweeps at once, the second
        waits on the rows the first changed and then finds them flagged."""
        conditions: list[ColumnElement[bool]] = [
            SupportTicket.status.in_(RUNNING_STATUSES),
            due <= now,
            flag.is_(False),
        ]
        if due.key.startswith("first_response"):
            conditions.append(SupportTicket.first_responded_at.is_(None))
        ids = list(
            await session.scalars(
                update(SupportTicket)
                .where(*conditions)
                .values({flag.key: True})
                .returning(SupportTicket.id)
            )
        )
        if not ids:
            return []
        rows = await session.scalars(
            select(SupportTicket)
            .where(SupportTicket.id.in_(ids))
            .order_by(SupportTicket.id)
            .execution_options(populate_existing=True)
        )
        return list(rows)


support_repository = SupportRepository()
