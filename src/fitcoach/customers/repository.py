"""Every query on customers and coach assignments, and who may see which customer.

Reads go through `readable_by`: an admin sees every customer, a coach the customers assigned to
them now, a customer themself; anyone else sees nothing, not even that the customer exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, SortColumn, sort_order
from fitcoach.http.search import contains_text
from fitcoach.models import (
    Actor,
    CoachAssignment,
    CustomerProfile,
    CustomerRiskFlag,
    User,
    UserRole,
)
from fitcoach.models.enums import Role


def live_customer_ids_of(coach_id: uuid.UUID) -> Select[uuid.UUID]:
    """The customers assigned to `coach_id` now, as a subquery for authorization filters."""
    return select(CoachAssignment.customer_id).where(
        CoachAssignment.coach_id == coach_id, CoachAssignment.unassigned_at.is_(None)
    )


def _is_customer() -> ColumnElement[bool]:
    return exists().where(UserRole.user_id == User.id, UserRole.role == Role.CUSTOMER.value)


_SORT_COLUMNS: dict[str, SortColumn] = {
    "name": User.name,
    "assignedAt": CoachAssignment.assigned_at,
}


@dataclass(frozen=True)
class CoachOfCustomer:
    coach_id: uuid.UUID
    name: str
    since: datetime


@dataclass(frozen=True)
class CustomerOfCoach:
    user: User
    assigned_at: datetime
    profile: CustomerProfile | None


class CustomersRepository:
    def is_customer(self) -> ColumnElement[bool]:
        return _is_customer()

    def readable_by(self, actor: Actor) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        visible: list[ColumnElement[bool]] = []
        if actor.has_role(Role.COACH):
            visible.append(User.id.in_(live_customer_ids_of(actor.id)))
        if actor.has_role(Role.CUSTOMER):
            visible.append(User.id == actor.id)
        return or_(*visible) if visible else false()

    async def find_readable(
        self, session: AsyncSession, customer_id: uuid.UUID, actor: Actor
    ) -> User | None:
        result = await session.execute(
            select(User).where(User.id == customer_id, _is_customer(), self.readable_by(actor))
        )
        return result.scalar_one_or_none()

    async def live_assignment(
        self, session: AsyncSession, customer_id: uuid.UUID, coach_id: uuid.UUID
    ) -> CoachAssignment | None:
        result = await session.execute(
            select(CoachAssignment).where(
                CoachAssignment.customer_id == customer_id,
                CoachAssignment.coach_id == coach_id,
                CoachAssignment.unassigned_at.is_(None),
            )
        )
        return result.scalar_one_or_none()

    async def coaches_of(
        self, session: AsyncSession, customer_id: uuid.UUID
    ) -> list[CoachOfCustomer]:
        result = await session.execute(
            select(CoachAssignment.coach_id, User.name, CoachAssignment.assigned_at)
            .join(User, User.id == CoachAssignment.coach_id)
            .where(
                CoachAssignment.customer_id == customer_id,
                CoachAssignment.unassigned_at.is_(None),
            )
            .order_by(CoachAssignment.assigned_at, CoachAssignment.coach_id)
        )
        return [CoachOfCustomer(coach_id=row[0], name=row[1], since=row[2]) for row in result]

    async def customers_of_coach(
        self,
        session: AsyncSession,
        coach_id: uuid.UUID,
        *,
        search: str | None,
        risk_flag: str | None,
        sort: str,
        page: PageRequest,
    ) -> tuple[list[CustomerOfCoach], int]:
        """One page of the coach's current customers with their profiles, in two queries."""
        statement = (
            select(User, CoachAssignment.assigned_at, CustomerProfile)
            .join(CoachAssignment, CoachAssignment.customer_id == User.id)
            .outerjoin(CustomerProfile, CustomerProfile.user_id == User.id)
            .where(CoachAssignment.coach_id == coach_id, CoachAssignment.unassigned_at.is_(None))
        )
        if search:
            statement = statement.where(contains_text(search, User.name, User.phone, User.email))
        if risk_flag is not None:
            statement = statement.where(
                exists().where(
                    CustomerRiskFlag.user_id == User.id, CustomerRiskFlag.flag == risk_flag
                )
            )
        total = await session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        # The id breaks ties so that pages never overlap or skip a customer.
        ordered = statement.order_by(sort_order(sort, _SORT_COLUMNS), User.id)
        rows = await session.execute(ordered.limit(page.page_size).offset(page.offset))
        customers = [
            CustomerOfCoach(user=user, assigned_at=assigned_at, profile=profile)
            for user, assigned_at, profile in rows.all()
        ]
        return customers, int(total or 0)

    async def live_assignments_of_coach(
        self, session: AsyncSession, coach_id: uuid.UUID
    ) -> list[CoachAssignment]:
        result = await session.execute(
            select(CoachAssignment)
            .where(CoachAssignment.coach_id == coach_id, CoachAssignment.unassigned_at.is_(None))
            .order_by(CoachAssignment.assigned_at, CoachAssignment.id)
        )
        return list(result.scalars())

    def add_assignment(self, session: AsyncSession, assignment: CoachAssignment) -> None:
        session.add(assignment)

    async def is_assigned(
        self, session: AsyncSession, coach_id: uuid.UUID, customer_id: uuid.UUID
    ) -> bool:
        found = await session.scalar(
            select(
                exists().where(
                    CoachAssignment.coach_id == coach_id,
                    CoachAssignment.customer_id == customer_id,
                    CoachAssignment.unassigned_at.is_(None),
                )
            )
        )
        return bool(found)


customers_repository = CustomersRepository()
