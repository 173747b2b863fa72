"""Queries on what customers logged (item_logs), their streak rows, the freezes granted them and
their badges. Every query names the customer: a log is only ever read or written for its own
customer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import (
    BadgeDefinition,
    CustomerBadge,
    ItemLog,
    Streak,
    StreakFreezeGrant,
    TrainingDay,
)


def _insert_if_absent(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class LogsRepository:
    async def on_day(
        self, session: AsyncSession, customer_id: uuid.UUID, on: date
    ) -> dict[uuid.UUID, ItemLog]:
        result = await session.scalars(
            select(ItemLog).where(ItemLog.customer_id == customer_id, ItemLog.local_date == on)
        )
        return {log.subject_id: log for log in result}

    async def since(
        self, session: AsyncSession, customer_id: uuid.UUID, first: date
    ) -> list[ItemLog]:
        result = await session.scalars(
            select(ItemLog).where(ItemLog.customer_id == customer_id, ItemLog.local_date >= first)
        )
        return list(result)

    async def completed_workouts(self, session: AsyncSession, customer_id: uuid.UUID) -> int:
        count = await session.scalar(
            select(func.count()).where(
                ItemLog.customer_id == customer_id,
                ItemLog.status == "completed",
                ItemLog.subject_type.in_(("strength", "cardio")),
            )
        )
        return int(count or 0)

    def add(self, session: AsyncSession, log: ItemLog) -> None:
        session.add(log)

    async def remove(self, session: AsyncSession, log: ItemLog) -> None:
        await session.delete(log)
        await session.flush()

    async def locked_streak(
        self, session: AsyncSession, customer_id: uuid.UUID, now: datetime
    ) -> Streak:
        """The customer's streak row, created if absent and locked until the transaction ends:
        one customer's completions then change their days one after another."""
        await session.execute(
            _insert_if_absent(session)(Streak)
            .values(
                customer_id=customer_id,
                current=0,
                longest=0,
                freezes=0,
                freezes_used=0,
                workouts=0,
                perfect_weeks=0,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[Streak.customer_id])
        )
        streak = await session.scalar(
            select(Streak)
            .where(Streak.customer_id == customer_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert streak is not None  # inserted above or by a committed concurrent request
        return streak

    async def streak(self, session: AsyncSession, customer_id: uuid.UUID) -> Streak | None:
        return await session.get(Streak, customer_id)

    def add_grant(self, session: AsyncSession, grant: StreakFreezeGrant) -> None:
        session.add(grant)

    async def granted_freezes(
        self, session: AsyncSession, customer_id: uuid.UUID, span: tuple[date, date]
    ) -> dict[date, int]:
        """The freezes granted the customer on each local day of `span` (first, last). Those
        granted before `first` (before the plan started, or before the recomputed window) are
        stock on `first`: a freeze given ahead of a plan waits for it."""
        first, last = span
        result = await session.execute(
            select(StreakFreezeGrant.local_date, func.sum(StreakFreezeGrant.count))
            .where(
                StreakFreezeGrant.customer_id == customer_id,
                StreakFreezeGrant.local_date <= last,
            )
            .group_by(StreakFreezeGrant.local_date)
        )
        granted: dict[date, int] = {}
        for on, count in result:
            day = max(on, first)
            granted[day] = granted.get(day, 0) + int(count)
        return granted

    async def award(
        self, session: AsyncSession, customer_id: uuid.UUID, badge: str, now: datetime
    ) -> bool:
        """Whether this call awarded the badge; the unique pair keeps it to one award."""
        result = await session.execute(
            _insert_if_absent(session)(CustomerBadge)
            .values(id=uuid.uuid4(), customer_id=customer_id, badge=badge, awarded_at=now)
            .on_conflict_do_nothing(index_elements=[CustomerBadge.customer_id, CustomerBadge.badge])
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def badges(self, session: AsyncSession, customer_id: uuid.UUID) -> list[CustomerBadge]:
        result = await session.scalars(
            select(CustomerBadge)
            .where(CustomerBadge.customer_id == customer_id)
            .order_by(CustomerBadge.awarded_at, CustomerBadge.badge)
        )
        return list(result)

    async def days_since(
        self, session: AsyncSession, customer_id: uuid.UUID, first: date
    ) -> list[TrainingDay]:
        result = await session.scalars(
            select(TrainingDay).where(
                TrainingDay.customer_id == customer_id, TrainingDay.local_date >= first
            )
        )
        return list(result)

    async def day(
        self, session: AsyncSession, customer_id: uuid.UUID, on: date
    ) -> TrainingDay | None:
        return await session.get(TrainingDay, (customer_id, on))

    def add_day(self, session: AsyncSession, day: TrainingDay) -> None:
        session.add(day)

    async def badge_definitions(self, session: AsyncSession) -> list[BadgeDefinition]:
        result = await session.scalars(
            select(BadgeDefinition).order_by(BadgeDefinition.created_at, BadgeDefinition.code)
        )
        return list(result)

    async def badge_code_taken(self, session: AsyncSession, code: str) -> bool:
        found = await session.scalar(select(BadgeDefinition.id).where(BadgeDefinition.code == code))
        return found is not None

    def add_definition(self, session: AsyncSession, definition: BadgeDefinition) -> None:
        session.add(definition)


logs_repository = LogsRepository()
