"""Customer rules: who sees and changes a customer's profile (themself and admins change it;
their assigned coaches read it), which coaches are assigned to whom, and the coach's customer
list."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.core.errors import Forbidden
from fitcoach.customers.exceptions import (
    CoachAlreadyAssigned,
    CoachNotAssigned,
    CustomerNotFound,
    NotACoach,
)
from fitcoach.customers.repository import (
    CoachOfCustomer,
    CustomerOfCoach,
    customers_repository,
)
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, CoachAssignment, CustomerProfile, User
from fitcoach.models.enums import Gender, Role
from fitcoach.models.vocabulary import RiskFlag
from fitcoach.onboarding.service import onboarding_service
from fitcoach.subscriptions.service import SubscriptionStatus, subscription_service
from fitcoach.users.exceptions import UserNotFound
from fitcoach.users.service import user_service


@dataclass(frozen=True)
class ProfileChanges:
    """A partial update: only the fields named in `given` change (a given None clears a body
    metric); preferences given are merged, a None answer removing that preference."""

    given: frozenset[str]
    name: str | None = None
    preferences: Mapping[str, Any] | None = None
    height: float | None = None
    weight: float | None = None
    age: int | None = None
    gender: Gender | None = None


@dataclass(frozen=True)
class CustomerView:
    user: User
    profile: CustomerProfile | None
    coaches: list[CoachOfCustomer]
    subscription: SubscriptionStatus


@dataclass(frozen=True)
class CustomerListing:
    customers: list[CustomerOfCoach]
    total: int


def _editable_fields(user: User, profile: CustomerProfile | None) -> dict[str, object]:
    return {
        "name": user.name,
        "age": user.age,
        "gender": user.gender,
        "height": user.height_cm,
        "weight": user.weight_kg,
        "preferences": dict(profile.preferences) if profile is not None else None,
    }


class CustomersService:
    async def profile(
        self, session: AsyncSession, actor: Actor, customer_id: uuid.UUID, now: datetime
    ) -> CustomerView:
        customer = await self._readable(session, actor, customer_id)
        return await self._view(session, customer, now)

    async def update_profile(
        self,
        session: AsyncSession,
        actor: Actor,
        customer_id: uuid.UUID,
        changes: ProfileChanges,
        now: datetime,
    ) -> CustomerView:
        """The customer themself or an admin; an assigned coach reads but may not change."""
        customer = await self._readable(session, actor, customer_id)
        if customer.id != actor.id and not actor.has_role(Role.ADMIN):
            raise Forbidden()
        profile = await onboarding_service.profile_of(session, customer.id)
        before = _editable_fields(customer, profile)
        given = changes.given
        if changes.preferences is not None:
            profile = await onboarding_service.change_preferences(
                session, customer.id, changes.preferences, now
            )
        # The user row belongs to the users domain, which offers no setter for these fields.
        if changes.name is not None:
            customer.name = changes.name
        if "height" in given:
            customer.height_cm = changes.height
        if "weight" in given:
            customer.weight_kg = changes.weight
        if "age" in given:
            customer.age = changes.age
        if "gender" in given:
            customer.gender = changes.gender.value if changes.gender is not None else None
        after = _editable_fields(customer, profile)
        if before != after:
            customer.updated_at = now
            audit_service.record(
                session,
                AuditEvent(
                    action="customer.profile.updated",
                    resource_type="user",
                    resource_id=customer.id,
                    changes=changes_between(before, after),
                ),
                now,
            )
        await session.flush()
        return await self._view(session, customer, now)

    async def assign_coach(
        self,
        session: AsyncSession,
        admin: Actor,
        customer_id: uuid.UUID,
        coach_id: uuid.UUID,
        now: datetime,
    ) -> CoachOfCustomer:
        customer = await self._readable(session, admin, customer_id)
        coach = await self._coach(session, coach_id)
        # Locked, so that two admins assigning the same coach at once cannot both succeed.
        await user_service.lock(session, customer.id)
        if await customers_repository.live_assignment(session, customer.id, coach.id):
            raise CoachAlreadyAssigned()
        assignment = CoachAssignment(
            customer_id=customer.id, coach_id=coach.id, assigned_at=now, assigned_by_id=admin.id
        )
        customers_repository.add_assignment(session, assignment)
        try:
            await session.flush()
        except IntegrityError as exc:  # the live-pair unique index, where locks do not reach
            raise CoachAlreadyAssigned() from exc
        audit_service.record(
            session,
            AuditEvent(
                action="coach.assigned",
                resource_type="coach_assignment",
                resource_id=assignment.id,
                changes=changes_between(
                    {}, {"customerId": str(customer.id), "coachId": str(coach.id)}
                ),
            ),
            now,
        )
        return CoachOfCustomer(coach_id=coach.id, name=coach.name, since=now)

    async def unassign_coach(
        self,
        session: AsyncSession,
        admin: Actor,
        customer_id: uuid.UUID,
        coach_id: uuid.UUID,
        now: datetime,
    ) -> None:
        customer = await self._readable(session, admin, customer_id)
        await user_service.lock(session, customer.id)
        assignment = await customers_repository.live_assignment(session, customer.id, coach_id)
        if assignment is None:
            raise CoachNotAssigned()
        await self._end_assignment(session, assignment, admin, now, reason="unassigned")

    async def end_assignments_of_coach(
        self, session: AsyncSession, admin: Actor, coach_id: uuid.UUID, now: datetime
    ) -> int:
        """End every live assignment of a coach (who is no longer one); how many there were."""
        assignments = await customers_repository.live_assignments_of_coach(session, coach_id)
        for assignment in assignments:
            await self._end_assignment(session, assignment, admin, now, reason="coach role removed")
        return len(assignments)

    async def _end_assignment(
        self,
        session: AsyncSession,
        assignment: CoachAssignment,
        admin: Actor,
        now: datetime,
        *,
        reason: str,
    ) -> None:
        assignment.unassigned_at = now
        assignment.unassigned_by_id = admin.id
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="coach.unassigned",
                resource_type="coach_assignment",
                resource_id=assignment.id,
                changes=changes_between({"unassignedAt": None}, {"unassignedAt": now.isoformat()}),
                details={
                    "customerId": str(assignment.customer_id),
                    "coachId": str(assignment.coach_id),
                    "reason": reason,
                },
            ),
            now,
        )

    async def customers_of_coach(
        self,
        session: AsyncSession,
        coach: User,
        *,
        search: str | None,
        risk_flag: RiskFlag | None,
        sort: str,
        page: PageRequest,
    ) -> CustomerListing:
        customers, total = await customers_repository.customers_of_coach(
            session,
            coach.id,
            search=search,
            risk_flag=risk_flag.value if risk_flag is not None else None,
            sort=sort,
            page=page,
        )
        return CustomerListing(customers=customers, total=total)

    async def coach_ids_of(self, session: AsyncSession, customer_id: uuid.UUID) -> list[uuid.UUID]:
        """The coaches looking after the customer now."""
        coaches = await customers_repository.coaches_of(session, customer_id)
        return [coach.coach_id for coach in coaches]

    async def is_assigned(
        self, session: AsyncSession, coach_id: uuid.UUID, customer_id: uuid.UUID
    ) -> bool:
        return await customers_repository.is_assigned(session, coach_id, customer_id)

    def readable_customers(self, actor: Actor) -> ColumnElement[bool]:
        """A condition on `users` that holds for the customers the actor may see (a coach: the
        live clients; an admin: every customer), for reports that aggregate over them in SQL."""
        return and_(customers_repository.is_customer(), customers_repository.readable_by(actor))

    async def _readable(self, session: AsyncSession, actor: Actor, customer_id: uuid.UUID) -> User:
        customer = await customers_repository.find_readable(session, customer_id, actor)
        if customer is None:
            raise CustomerNotFound()
        return customer

    async def _coach(self, session: AsyncSession, coach_id: uuid.UUID) -> User:
        try:
            coach = await user_service.get(session, coach_id)
        except UserNotFound as exc:
            raise NotACoach() from exc
        if not coach.has_role(Role.COACH):
            raise NotACoach()
        return coach

    async def _view(self, session: AsyncSession, customer: User, now: datetime) -> CustomerView:
        return CustomerView(
            user=customer,
            profile=await onboarding_service.profile_of(session, customer.id),
            coaches=await customers_repository.coaches_of(session, customer.id),
            subscription=await subscription_service.status(session, customer.id, now),
        )


customers_service = CustomersService()
