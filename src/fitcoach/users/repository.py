"""Every query on users."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import User, UserRole
from fitcoach.models.enums import Role


class UserRepository:
    async def get(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        return await session.get(User, user_id)

    async def get_for_update(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        result = await session.execute(select(User).where(User.id == user_id).with_for_update())
        return result.scalar_one_or_none()

    async def find_by_phone(self, session: AsyncSession, phone: str) -> User | None:
        result = await session.execute(select(User).where(User.phone == phone))
        return result.scalar_one_or_none()

    async def find_by_email(self, session: AsyncSession, email: str) -> User | None:
        result = await session.execute(select(User).where(User.email == email))
        return result.scalar_one_or_none()

    def add(self, session: AsyncSession, user: User, roles: list[Role]) -> User:
        user.role_rows = [UserRole(role=role.value) for role in roles]
        session.add(user)
        return user

    def grant_role(self, user: User, role: Role) -> None:
        if not user.has_role(role):
            user.role_rows.append(UserRole(role=role.value))


user_repository = UserRepository()
