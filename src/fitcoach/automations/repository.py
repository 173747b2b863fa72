"""Every query of automations: the rules, their runs, the event history they replay, the
customer facts their conditions read (in batches: one query per table however many customers),
and what their actions write."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import (
    Automation,
    AutomationRun,
    CoachAssignment,
    CoachTask,
    CustomerProfile,
    CustomerTag,
    OutboxEvent,
    Streak,
    Subscription,
    User,
)

ACTIVE = "active"


def utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; every one stored is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class AutomationsRepository:
    async def get(self, session: AsyncSession, automation_id: uuid.UUID) -> Automation | None:
        return await session.get(Automation, automation_id)

    async def page(
        self, session: AsyncSession, page: PageRequest, status: str | None
    ) -> tuple[list[Automation], int]:
        statement = select(Automation).order_by(Automation.created_at.desc(), Automation.id)
        if status is not None:
            statement = statement.where(Automation.status == status)
        return await fetch_page(session, statement, page)

    async def active_for(self, session: AsyncSession, event_type: str) -> list[Automation]:
        return list(
            (
                await session.scalars(
                    select(Automation)
                    .where(Automation.trigger_event == event_type, Automation.status == ACTIVE)
                    .order_by(Automation.created_at, Automation.id)
                )
            ).all()
        )

    async def active_triggers(self, session: AsyncSession, event_types: Iterable[str]) -> set[str]:
        """Which of `event_types` some active automation is triggered by."""
        return set(
            (
                await session.scalars(
                    select(Automation.trigger_event)
                    .where(
                        Automation.trigger_event.in_(list(event_types)),
                        Automation.status == ACTIVE,
                    )
                    .distinct()
                )
            ).all()
        )

    async def runs(
        self, session: AsyncSession, automation_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[AutomationRun], int]:
        statement = (
            select(AutomationRun)
            .where(AutomationRun.automation_id == automation_id)
            .order_by(AutomationRun.created_at.desc(), AutomationRun.id)
        )
        return await fetch_page(session, statement, page)

    async def recent_events(
        self, session: AsyncSession, event_type: str, limit: int
    ) -> list[OutboxEvent]:
        """The `limit` latest events of `event_type` in the outbox (which keeps every event)."""
        return list(
            (
                await session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.type == event_type)
                    .order_by(OutboxEvent.occurred_at.desc(), OutboxEvent.id)
                    .limit(limit)
                )
            ).all()
        )

    async def ran_since(
        self,
        session: AsyncSession,
        automation_id: uuid.UUID,
        customer_id: uuid.UUID,
        since: datetime,
    ) -> int:
        """Runs that acted on the customer after `since` (what the frequency cap counts)."""
        return int(
            await session.scalar(
                select(func.count())
                .select_from(AutomationRun)
                .where(
                    AutomationRun.automation_id == automation_id,
                    AutomationRun.customer_id == customer_id,
                    AutomationRun.occurred_at > since,
                    AutomationRun.outcome == "performed",
                )
            )
            or 0
        )

    async def lock_customer(self, session: AsyncSession, customer_id: uuid.UUID) -> None:
        """Hold the customer's automation lock until the transaction ends, so two events of
        one customer handled at once count each other's runs under the frequency cap (SQLite
        has one writer at a time already)."""
        if session.get_bind().dialect.name == "postgresql":
            key = customer_id.int & 0x7FFF_FFFF_FFFF_FFFF
            await session.execute(select(func.pg_advisory_xact_lock(key)))

    async def has_run(
        self, session: AsyncSession, automation_id: uuid.UUID, event_id: uuid.UUID
    ) -> bool:
        found = await session.scalar(
            select(AutomationRun.id).where(
                AutomationRun.automation_id == automation_id, AutomationRun.event_id == event_id
            )
        )
        return found is not None

    async def customer_facts(
        self, session: AsyncSession, customer_ids: Iterable[uuid.UUID], now: datetime
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """The `customer.*` fields of each customer as they are now."""
        ids = list(set(customer_ids))
        if not ids:
            return {}
        users = (await session.scalars(select(User).where(User.id.in_(ids)))).all()
        facts: dict[uuid.UUID, dict[str, Any]] = {
            user.id: {
                "customer.id": str(user.id),
                "customer.name": user.name,
                "customer.age": user.age,
                "customer.gender": user.gender,
                "customer.createdAt": utc(user.created_at),
                "customer.timeZone": user.time_zone,
                "customer.goals": [],
                "customer.riskFlags": [],
                "customer.tags": [],
                "customer.subscriptionType": "none",
                "customer.subscriptionEndsAt": None,
                "customer.currentStreak": 0,
                "customer.workouts": 0,
            }
            for user in users
        }
        present = list(facts)
        for profile in await session.scalars(
            select(CustomerProfile).where(CustomerProfile.user_id.in_(present))
        ):
            facts[profile.user_id]["customer.goals"] = list(profile.goals)
            facts[profile.user_id]["customer.riskFlags"] = list(profile.risk_flags)
        for customer_id, tag in await session.execute(
            select(CustomerTag.customer_id, CustomerTag.tag)
            .where(CustomerTag.customer_id.in_(present))
            .order_by(CustomerTag.tag)
        ):
            facts[customer_id]["customer.tags"].append(tag)
        for term in await session.scalars(
            select(Subscription)
            .where(
                Subscription.user_id.in_(present),
                Subscription.starts_at <= now,
                Subscription.ends_at > now,
            )
            .order_by(Subscription.ends_at)
        ):
            facts[term.user_id]["customer.subscriptionType"] = term.type
            facts[term.user_id]["customer.subscriptionEndsAt"] = utc(term.ends_at)
        for streak in await session.scalars(select(Streak).where(Streak.customer_id.in_(present))):
            facts[streak.customer_id]["customer.currentStreak"] = streak.current
            facts[streak.customer_id]["customer.workouts"] = streak.workouts
        return facts

    async def coaches_of(self, session: AsyncSession, customer_id: uuid.UUID) -> list[uuid.UUID]:
        return list(
            (
                await session.scalars(
                    select(CoachAssignment.coach_id)
                    .where(
                        CoachAssignment.customer_id == customer_id,
                        CoachAssignment.unassigned_at.is_(None),
                    )
                    .order_by(CoachAssignment.coach_id)
                )
            ).all()
        )

    async def add_tag(
        self, session: AsyncSession, customer_id: uuid.UUID, tag: str, automation_id: uuid.UUID
    ) -> bool:
        """Whether the tag is new on the customer."""
        insert = (
            postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        result = await session.execute(
            insert(CustomerTag)
            .values(customer_id=customer_id, tag=tag, automation_id=automation_id)
            .on_conflict_do_nothing()
        )
        return bool(getattr(result, "rowcount", 0))

    def add_task(self, session: AsyncSession, task: CoachTask) -> None:
        session.add(task)

    def add_run(self, session: AsyncSession, run: AutomationRun) -> None:
        session.add(run)


automations_repository = AutomationsRepository()
