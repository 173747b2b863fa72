"""Every query on plans, and who may see or change which plan.

Reads go through `readable_by`, so a forgotten check shows nothing rather than everything:
an admin reads every plan, a coach every template and the custom plans of the customers assigned
to them now, a customer their own custom plans; everyone reads the configured default plans.
Writes need `writable_by`: an admin changes every plan, a coach the templates they wrote and the
custom plans of the customers assigned to them now. A custom plan is the customer's: its author
loses it with the assignment, like every other coach not assigned to that customer.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.http.pagination import PageRequest, SortColumn, fetch_page, sort_order
from fitcoach.models import Actor, CoachAssignment, Plan, PlanItem
from fitcoach.models.enums import PlanType, Role

_SORT_COLUMNS: dict[str, SortColumn] = {"createdAt": Plan.created_at, "name": Plan.name}


_NEWEST_CUSTOM_ID = (
    select(Plan.id)
    .where(Plan.owner_id == bindparam("owner_id"), Plan.type == bindparam("type"))
    .order_by(Plan.created_at.desc(), Plan.id.desc())
    .limit(1)
)
_NEWEST_CUSTOM_IDS: CachedRead[uuid.UUID | None] = CachedRead(
    "custom_plan_ids", topic=topics.OWNER_PLANS, tables=(Plan.__tablename__,), max_groups=50_000
)


@dataclass(frozen=True)
class PlanAccess:
    plan: Plan
    writable: bool


@dataclass(frozen=True)
class PlanFilter:
    plan_type: PlanType | None = None
    owner_id: uuid.UUID | None = None
    template: bool | None = None
    """True: templates only; False: custom plans only."""


@dataclass(frozen=True)
class PlanItemView:
    """An item as readers are shown it; a training item leaves the diet fields None and the
    other way round."""

    id: uuid.UUID
    position: int
    day: int
    notes: str | None
    media_url: str | None
    exercise: str | None
    sets: int | None
    reps: str | None
    rest_seconds: int | None
    meal: str | None
    foods: tuple[str, ...] | None
    calories: int | None
    protein_g: float | None
    carbs_g: float | None
    fat_g: float | None

    @classmethod
    def of(cls, item: PlanItem) -> PlanItemView:
        return cls(
            id=item.id,
            position=item.position,
            day=item.day,
            notes=item.notes,
            media_url=item.media_url,
            exercise=item.exercise,
            sets=item.sets,
            reps=item.reps,
            rest_seconds=item.rest_seconds,
            meal=item.meal,
            foods=tuple(item.foods) if item.foods is not None else None,
            calories=item.calories,
            protein_g=item.protein_g,
            carbs_g=item.carbs_g,
            fat_g=item.fat_g,
        )


@dataclass(frozen=True)
class PlanView:
    """A plan with its items, detached from the session and immutable, so that one copy can
    be shared by every reader between changes of the plan."""

    id: uuid.UUID
    type: str
    name: str
    description: str | None
    owner_id: uuid.UUID | None
    author_id: uuid.UUID | None
    items: tuple[PlanItemView, ...]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, plan: Plan) -> PlanView:
        return cls(
            id=plan.id,
            type=plan.type,
            name=plan.name,
            description=plan.description,
            owner_id=plan.owner_id,
            author_id=plan.author_id,
            items=tuple(PlanItemView.of(item) for item in plan.items),
            created_at=plan.created_at,
            updated_at=plan.updated_at,
        )


# The plans users are shown as theirs (a custom or a default plan), between changes of the plan
# or its items.
_PLAN_VIEWS: CachedRead[PlanView | None] = CachedRead(
    "plan_views", topic=topics.PLAN, tables=(Plan.__tablename__, PlanItem.__tablename__)
)


def _of_assigned_customers(coach_id: uuid.UUID) -> ColumnElement[bool]:
    return Plan.owner_id.in_(
        select(CoachAssignment.customer_id).where(
            CoachAssignment.coach_id == coach_id, CoachAssignment.unassigned_at.is_(None)
        )
    )


class PlansRepository:
    def readable_by(
        self, actor: Actor, default_plan_ids: Collection[uuid.UUID]
    ) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        visible: list[ColumnElement[bool]] = []
        if actor.has_role(Role.COACH):
            visible += [Plan.owner_id.is_(None), _of_assigned_customers(actor.id)]
        if actor.has_role(Role.CUSTOMER):
            visible.append(Plan.owner_id == actor.id)
        if default_plan_ids:
            visible.append(Plan.id.in_(default_plan_ids))
        return or_(*visible) if visible else false()

    def writable_by(self, actor: Actor) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        if actor.has_role(Role.COACH):
            own_template = and_(Plan.owner_id.is_(None), Plan.author_id == actor.id)
            return or_(own_template, _of_assigned_customers(actor.id))
        return false()

    async def find_readable(
        self,
        session: AsyncSession,
        plan_id: uuid.UUID,
        actor: Actor,
        default_plan_ids: Collection[uuid.UUID],
        *,
        with_items: bool = False,
        for_update: bool = False,
    ) -> PlanAccess | None:
        """The plan if `actor` may read it, with whether they may change it, in one query."""
        statement = select(Plan, self.writable_by(actor).label("writable")).where(
            Plan.id == plan_id, self.readable_by(actor, default_plan_ids)
        )
        if with_items:
            statement = statement.options(selectinload(Plan.items))
        if for_update:
            # Serialises a delete with a concurrent "make this the default", which locks the
            # same row (PostgreSQL; SQLite serialises all writers anyway).
            statement = statement.with_for_update(of=Plan)
        row = (await session.execute(statement)).one_or_none()
        if row is None:
            return None
        return PlanAccess(plan=row[0], writable=bool(row[1]))

    async def get_for_update(self, session: AsyncSession, plan_id: uuid.UUID) -> Plan | None:
        result = await session.execute(select(Plan).where(Plan.id == plan_id).with_for_update())
        return result.scalar_one_or_none()

    async def newest_custom_id(
        self, session: AsyncSession, owner_id: uuid.UUID, plan_type: PlanType
    ) -> uuid.UUID | None:
        """The id of the owner's newest custom plan of the type. Not filtered by a reader: who
        may see the owner's plans is decided before asking (plans_service.for_user)."""

        async def load() -> uuid.UUID | None:
            result = await session.execute(
                _NEWEST_CUSTOM_ID, {"owner_id": owner_id, "type": plan_type.value}
            )
            return result.scalar_one_or_none()

        return await _NEWEST_CUSTOM_IDS.read(session, str(owner_id), plan_type, load)

    async def view(self, session: AsyncSession, plan_id: uuid.UUID) -> PlanView | None:
        async def load() -> PlanView | None:
            plan = await self.with_items(session, plan_id)
            return PlanView.of(plan) if plan is not None else None

        return await _PLAN_VIEWS.read(session, str(plan_id), None, load)

    async def with_items(self, session: AsyncSession, plan_id: uuid.UUID) -> Plan | None:
        result = await session.execute(
            select(Plan).where(Plan.id == plan_id).options(selectinload(Plan.items))
        )
        return result.scalar_one_or_none()

    async def list_page(
        self,
        session: AsyncSession,
        readable: ColumnElement[bool],
        where: PlanFilter,
        sort: str,
        page: PageRequest,
    ) -> tuple[list[Plan], int]:
        statement: Select[Plan] = select(Plan).where(readable)
        if where.plan_type is not None:
            statement = statement.where(Plan.type == where.plan_type.value)
        if where.owner_id is not None:
            statement = statement.where(Plan.owner_id == where.owner_id)
        if where.template is True:
            statement = statement.where(Plan.owner_id.is_(None))
        elif where.template is False:
            statement = statement.where(Plan.owner_id.is_not(None))
        # The id breaks ties so that pages never overlap or skip a plan.
        statement = statement.order_by(sort_order(sort, _SORT_COLUMNS), Plan.id)
        return await fetch_page(session, statement, page)

    async def item_counts(
        self, session: AsyncSession, plan_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        if not plan_ids:
            return {}
        result = await session.execute(
            select(PlanItem.plan_id, func.count())
            .where(PlanItem.plan_id.in_(plan_ids))
            .group_by(PlanItem.plan_id)
        )
        return dict(result.all())

    def add(self, session: AsyncSession, plan: Plan) -> None:
        session.add(plan)

    async def delete(self, session: AsyncSession, plan_id: uuid.UUID) -> None:
        """Items go with the plan through the foreign key's ON DELETE CASCADE."""
        await session.execute(
            delete(Plan).where(Plan.id == plan_id).execution_options(synchronize_session=False)
        )


plans_repository = PlansRepository()
