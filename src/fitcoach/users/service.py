"""Creating and changing user records; the rules every way of making an account shares."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest
from fitcoach.models import User
from fitcoach.models.enums import Gender, Role
from fitcoach.users.exceptions import EmailAlreadyRegistered, PhoneAlreadyRegistered, UserNotFound
from fitcoach.users.repository import user_repository


@dataclass(frozen=True)
class BodyMetrics:
    """The optional profile fields a user may give about themself."""

    height: float | None = None
    weight: float | None = None
    age: int | None = None
    gender: Gender | None = None


@dataclass(frozen=True)
class UserFilter:
    """Which users a search returns: those matching every filter given."""

    text: str | None = None
    role: Role | None = None
    blocked: bool | None = None


@dataclass(frozen=True)
class NewUser:
    """An account to create; addresses given are unverified unless said otherwise."""

    name: str
    roles: Sequence[Role]
    phone: str | None = None
    email: str | None = None
    password_hash: str | None = None
    phone_verified: bool = False
    email_verified: bool = False
    metrics: BodyMetrics | None = None


class UserService:
    async def get(self, session: AsyncSession, user_id: uuid.UUID) -> User:
        user = await user_repository.get(session, user_id)
        if user is None:
            raise UserNotFound()
        return user

    async def find_by_phone(self, session: AsyncSession, phone: str) -> User | None:
        return await user_repository.find_by_phone(session, phone)

    async def find_by_email(self, session: AsyncSession, email: str) -> User | None:
        return await user_repository.find_by_email(session, email)

    async def create(self, session: AsyncSession, new: NewUser) -> User:
        phone, email, metrics = new.phone, new.email, new.metrics
        if phone and await user_repository.find_by_phone(session, phone):
            raise PhoneAlreadyRegistered()
        if email and await user_repository.find_by_email(session, email):
            raise EmailAlreadyRegistered()
        user = User(
            name=new.name,
            phone=phone,
            email=email,
            password_hash=new.password_hash,
            phone_verified=new.phone_verified,
            email_verified=new.email_verified,
            is_blocked=False,
        )
        if metrics is not None:
            user.height_cm = metrics.height
            user.weight_kg = metrics.weight
            user.age = metrics.age
            user.gender = metrics.gender.value if metrics.gender else None
        user_repository.add(session, user, list(new.roles))
        try:
            await session.flush()
        except IntegrityError as exc:
            # Two registrations of one phone raced past the check above; the unique index decides.
            if phone and "phone" in str(exc.orig).lower():
                raise PhoneAlreadyRegistered() from exc
            raise EmailAlreadyRegistered() from exc
        return user

    async def count_failed_login(
        self, session: AsyncSession, user_id: uuid.UUID, now: datetime
    ) -> tuple[int, int] | None:
        return await user_repository.count_failed_login(session, user_id, now)

    async def lock_login(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        level: int,
        until: datetime,
        threshold: int,
    ) -> bool:
        return await user_repository.lock_login(
            session, user_id, level=level, until=until, threshold=threshold
        )

    async def clear_failed_logins(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await user_repository.clear_failed_logins(session, user_id)

    def grant_role(self, user: User, role: Role) -> None:
        user_repository.grant_role(user, role)

    async def set_roles(self, session: AsyncSession, user: User, roles: set[Role]) -> None:
        await user_repository.set_roles(session, user, roles)

    async def search(
        self, session: AsyncSession, where: UserFilter, sort: str, page: PageRequest
    ) -> tuple[list[User], int]:
        return await user_repository.search(
            session, text=where.text, role=where.role, blocked=where.blocked, sort=sort, page=page
        )

    async def lock(self, session: AsyncSession, user_id: uuid.UUID) -> User:
        """The user row, locked until commit (PostgreSQL), so concurrent changes serialise."""
        user = await user_repository.get_for_update(session, user_id)
        if user is None:
            raise UserNotFound()
        return user

    async def hold(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Serialise one user's changes of something they own (their orders) until commit
        (PostgreSQL), while rows that merely reference the user are written freely."""
        if not await user_repository.hold(session, user_id):
            raise UserNotFound()

    def set_blocked(self, user: User, blocked: bool, now: datetime) -> None:
        user.is_blocked = blocked
        user.blocked_at = now if blocked else None


user_service = UserService()
