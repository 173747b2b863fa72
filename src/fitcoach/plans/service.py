"""Plan rules: who may create, read, change and delete which plan; which plans may be defaults;
which plan a user is shown for their subscription (free: the default, paid: their newest
custom plan, else the default)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.core.errors import Forbidden
from fitcoach.customers.service import customers_service
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, Plan, PlanItem
from fitcoach.models.enums import PlanType, Role, SubscriptionType
from fitcoach.plans.exceptions import (
    CustomerNotAssigned,
    ItemsDoNotMatchPlan,
    NoDefaultPlan,
    NoPlanAvailable,
    OwnerNotCustomer,
    PlanIsDefault,
    PlanNotFound,
    PlanNotTemplate,
    SubscriptionRequired,
    WrongPlanType,
)
from fitcoach.plans.repository import PlanAccess, PlanFilter, PlanView, plans_repository
from fitcoach.settings.service import setting_service
from fitcoach.subscriptions.service import subscription_service
from fitcoach.users.service import user_service


# A plan as its readers are shown it, between changes of the plan or its items.
@dataclass(frozen=True)
class _PlanItemFields:
    day: int
    notes: str | None = None
    media_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class TrainingItem(_PlanItemFields):
    exercise: str
    sets: int
    reps: str
    rest_seconds: int | None = None


@dataclass(frozen=True, kw_only=True)
class DietItem(_PlanItemFields):
    meal: str
    foods: Sequence[str]
    calories: int
    protein_g: float | None = None
    carbs_g: float | None = None
    fat_g: float | None = None


# The shape of item each type of plan holds.
ITEM_KINDS: dict[PlanType, type[TrainingItem] | type[DietItem]] = {
    PlanType.training: TrainingItem,
    PlanType.diet: DietItem,
}


@dataclass(frozen=True)
class PlanDraft:
    """A new plan: a template, or with `owner_id` a customer's custom plan."""

    type: PlanType
    name: str
    description: str | None
    owner_id: uuid.UUID | None
    items: Sequence[TrainingItem | DietItem]


@dataclass(frozen=True)
class PlanChanges:
    """A partial update: only the fields named in `given` change (a given None description
    clears it); items given replace every item."""

    given: frozenset[str]
    name: str | None = None
    description: str | None = None
    items: Sequence[TrainingItem | DietItem] | None = None


class PlanSource(StrEnum):
    custom = "custom"
    default = "default"


@dataclass(frozen=True)
class UserPlan:
    plan: PlanView
    source: PlanSource
    subscription_type: SubscriptionType


@dataclass(frozen=True)
class PlanListing:
    plans: list[Plan]
    item_counts: dict[uuid.UUID, int]
    total: int


def _plan_items(items: Sequence[TrainingItem | DietItem]) -> list[PlanItem]:
    rows = []
    for position, item in enumerate(items):
        fields = asdict(item)
        if isinstance(item, DietItem):
            fields["foods"] = list(item.foods)
        rows.append(PlanItem(position=position, **fields))
    return rows


def _audited_fields(plan: Plan) -> dict[str, object]:
    """What the trail keeps of a plan: its identity and size, not every item's text."""
    fields: dict[str, object] = {
        "type": plan.type,
        "name": plan.name,
        "description": plan.description,
        "userId": str(plan.owner_id) if plan.owner_id else None,
    }
    if "items" not in inspect(plan).unloaded:  # never load items just for the trail
        fields["itemCount"] = len(plan.items)
    return fields


class PlansService:
    async def create(
        self,
        session: AsyncSession,
        author: Actor,
        draft: PlanDraft,
        now: datetime,
    ) -> Plan:
        if draft.owner_id is not None:
            # A coach's assignments are checked first, so that an id of no customer of theirs
            # answers the same whether it names a customer, another kind of user or nobody.
            if not author.has_role(Role.ADMIN) and not await customers_service.is_assigned(
                session, author.id, draft.owner_id
            ):
                raise CustomerNotAssigned()
            owner = await user_service.get(session, draft.owner_id)
            if not owner.has_role(Role.CUSTOMER):
                raise OwnerNotCustomer()
        plan = Plan(
            type=draft.type.value,
            name=draft.name,
            description=draft.description,
            owner_id=draft.owner_id,
            author_id=author.id,
            created_at=now,
            updated_at=now,
            items=_plan_items(draft.items),
        )
        plans_repository.add(session, plan)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="plan.created",
                resource_type="plan",
                resource_id=plan.id,
                changes=changes_between({}, _audited_fields(plan)),
            ),
            now,
        )
        return plan

    async def writable(self, session: AsyncSession, actor: Actor, plan_id: uuid.UUID) -> Plan:
        """The plan with its items if `actor` may change it: 404 unseen, 403 seen only."""
        return await self._writable(session, actor, plan_id, with_items=True)

    async def get(self, session: AsyncSession, actor: Actor, plan_id: uuid.UUID) -> Plan:
        access = await self._readable(session, actor, plan_id, with_items=True)
        return access.plan

    async def list_readable(
        self,
        session: AsyncSession,
        actor: Actor,
        where: PlanFilter,
        sort: str,
        page: PageRequest,
    ) -> PlanListing:
        defaults = await setting_service.default_plan_ids(session)
        plans, total = await plans_repository.list_page(
            session, plans_repository.readable_by(actor, defaults.values()), where, sort, page
        )
        counts = await plans_repository.item_counts(session, [plan.id for plan in plans])
        return PlanListing(plans=plans, item_counts=counts, total=total)

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        plan_id: uuid.UUID,
        changes: PlanChanges,
        now: datetime,
    ) -> Plan:
        plan = await self._writable(session, actor, plan_id, with_items=True)
        before = _audited_fields(plan)
        given = changes.given
        if changes.items is not None:
            plan_type = PlanType(plan.type)
            if not all(isinstance(item, ITEM_KINDS[plan_type]) for item in changes.items):
                raise ItemsDoNotMatchPlan(plan_type)
            plan.items = _plan_items(changes.items)
        if changes.name is not None:
            plan.name = changes.name
        if "description" in given:
            plan.description = changes.description
        if given:
            plan.updated_at = now
            audit_service.record(
                session,
                AuditEvent(
                    action="plan.updated",
                    resource_type="plan",
                    resource_id=plan.id,
                    changes=changes_between(before, _audited_fields(plan)),
                ),
                now,
            )
        await session.flush()
        return plan

    async def delete(
        self, session: AsyncSession, actor: Actor, plan_id: uuid.UUID, now: datetime
    ) -> None:
        plan = await self._writable(session, actor, plan_id, for_update=True)
        # Read only now that the row is locked: a concurrent "make it the default" either
        # committed before (and is seen here) or waits and then finds the plan gone.
        defaults = await setting_service.default_plan_ids(session)
        if plan.id in defaults.values():
            raise PlanIsDefault()
        audit_service.record(
            session,
            AuditEvent(
                action="plan.deleted",
                resource_type="plan",
                resource_id=plan.id,
                changes=changes_between(_audited_fields(plan), {}),
            ),
            now,
        )
        await plans_repository.delete(session, plan.id)

    async def require_template(
        self, session: AsyncSession, plan_id: uuid.UUID, plan_type: PlanType
    ) -> Plan:
        """The plan, if it can be the default of `plan_type`; locked so that it cannot be
        deleted before the setting naming it is committed."""
        plan = await plans_repository.get_for_update(session, plan_id)
        if plan is None:
            raise PlanNotFound()
        if plan.type != plan_type:
            raise WrongPlanType(plan_type)
        if plan.owner_id is not None:
            raise PlanNotTemplate()
        return plan

    async def for_user(
        self,
        session: AsyncSession,
        actor: Actor,
        user_id: uuid.UUID,
        plan_type: PlanType,
        now: datetime,
    ) -> UserPlan:
        if actor.id != user_id:
            # Others learn nothing, not even whether the user exists.
            if actor.has_role(Role.ADMIN):
                await user_service.get(session, user_id)
            elif not (
                actor.has_role(Role.COACH)
                and await customers_service.is_assigned(session, actor.id, user_id)
            ):
                raise Forbidden()
        status = await subscription_service.status(session, user_id, now)
        if status.type is None:
            raise SubscriptionRequired()
        if status.type is SubscriptionType.paid:
            custom_id = await plans_repository.newest_custom_id(session, user_id, plan_type)
            custom = await self._view(session, custom_id) if custom_id else None
            if custom is not None:
                return UserPlan(
                    plan=custom, source=PlanSource.custom, subscription_type=status.type
                )
        # Every signed-in user may read the default plans.
        defaults = await setting_service.default_plan_ids(session)
        default_id = defaults.get(plan_type)
        default = await self._view(session, default_id) if default_id else None
        if default is None:
            if status.type is SubscriptionType.paid:
                raise NoPlanAvailable(plan_type)
            raise NoDefaultPlan(plan_type)
        return UserPlan(plan=default, source=PlanSource.default, subscription_type=status.type)

    async def _view(self, session: AsyncSession, plan_id: uuid.UUID) -> PlanView | None:
        return await plans_repository.view(session, plan_id)

    async def _readable(
        self,
        session: AsyncSession,
        actor: Actor,
        plan_id: uuid.UUID,
        *,
        with_items: bool = False,
        for_update: bool = False,
    ) -> PlanAccess:
        defaults = await setting_service.default_plan_ids(session)
        access = await plans_repository.find_readable(
            session,
            plan_id,
            actor,
            defaults.values(),
            with_items=with_items,
            for_update=for_update,
        )
        if access is None:
            raise PlanNotFound()
        return access

    async def _writable(
        self,
        session: AsyncSession,
        actor: Actor,
        plan_id: uuid.UUID,
        *,
        with_items: bool = False,
        for_update: bool = False,
    ) -> Plan:
        """404 for a plan the actor cannot see, 403 for one they see but may not change."""
        access = await self._readable(
            session, actor, plan_id, with_items=with_items, for_update=for_update
        )
        if not access.writable:
            raise Forbidden()
        return access.plan

    async def set_default(
        self,
        session: AsyncSession,
        admin: Actor,
        plan_type: PlanType,
        plan_id: uuid.UUID,
        now: datetime,
    ) -> None:
        await self.require_template(session, plan_id, plan_type)
        await setting_service.set_default_plan(session, plan_type, plan_id, admin.id, now)


plans_service = PlansService()
