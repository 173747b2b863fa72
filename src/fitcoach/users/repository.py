"""Every query on users."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, CursorResult, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from fitcoach.http.pagination import PageRequest, SortColumn, sort_order
from fitcoach.http.search import contains_text
from fitcoach.models import User, UserRole
from fitcoach.models.enums import Role

_SORT_COLUMNS: dict[str, SortColumn] = {"name": User.name, "createdAt": User.created_at}


class UserRepository:
    async def get(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        return await session.get(User, user_id)

    async def get_for_update(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        result = await session.execute(select(User).where(User.id == user_id).with_for_update())
        return result.scalar_one_or_none()

    async def hold(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        """FOR NO KEY UPDATE: it does not wait for, nor block, the rows that only reference the
        user (their foreign keys take KEY SHARE), unlike FOR UPDATE."""
        result = await session.execute(
            select(User.id).where(User.id == user_id).with_for_update(key_share=True)
        )
        return result.scalar_one_or_none() is not None

    async def find_by_phone(self, session: AsyncSession, phone: str) -> User | None:
        return await self._find(session, User.phone == phone)

    async def find_by_email(self, session: AsyncSession, email: str) -> User | None:
        return await self._find(session, User.email == email)

    async def _find(self, session: AsyncSession, where: ColumnElement[bool]) -> User | None:
        """The account and its roles in one statement, so that looking up an account that
        exists costs the same statements as one that does not (sign-in must not tell)."""
        result = await session.execute(
            select(User).options(joinedload(User.role_rows)).where(where)
        )
        return result.unique().scalar_one_or_none()

    def add(self, session: AsyncSession, user: User, roles: list[Role]) -> User:
        user.role_rows = [UserRole(role=role.value) for role in roles]
        session.add(user)
        return user

    def grant_role(self, user: User, role: Role) -> None:
        if not user.has_role(role):
            user.role_rows.append(UserRole(role=role.value))

    async def set_roles(self, session: AsyncSession, user: User, roles: set[Role]) -> None:
        """Replace the user's roles. Removed rows are deleted before new ones are added, so the
        primary key never sees a role twice."""
        removed = [row for row in user.role_rows if Role(row.role) not in roles]
        for row in removed:
            user.role_rows.remove(row)
        await session.flush()
        for role in sorted(roles - set(user.roles)):
            user.role_rows.append(UserRole(role=role.value))
        await session.flush()

    async def search(
        self,
        session: AsyncSession,
        *,
        text: str | None,
        role: Role | None,
        blocked: bool | None,
        sort: str,
        page: PageRequest,
    ) -> tuple[list[User], int]:
        """One page of users matching every given filter, and how many match in all."""
        statement = select(User)
        if text:
            statement = statement.where(contains_text(text, User.name, User.phone, User.email))
        if role is not None:
            statement = statement.where(
                exists().where(UserRole.user_id == User.id, UserRole.role == role.value)
            )
        if blocked is not None:
            statement = statement.where(User.is_blocked.is_(blocked))
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        # The id breaks ties so that pages never overlap or skip a user.
        ordered = statement.order_by(sort_order(sort, _SORT_COLUMNS), User.id)
        result = await session.execute(ordered.limit(page.page_size).offset(page.offset))
        return list(result.scalars()), int(total or 0)

    async def count_failed_login(
        self, session: AsyncSession, user_id: uuid.UUID, now: datetime
    ) -> tuple[int, int] | None:
        """One more consecutive failure, counted in the database: (failures, lock level). None
        when there is no such user, or its login is paused until after `now` (not counted)."""
        result = await session.execute(
            update(User)
            .where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= now))
            .values(failed_logins=User.failed_logins + 1)
            .returning(User.failed_logins, User.lock_level)
            .execution_options(synchronize_session=False)
        )
        row = result.one_or_none()
        return (int(row[0]), int(row[1])) if row is not None else None

    async def lock_login(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        *,
        level: int,
        until: datetime,
        threshold: int,
    ) -> bool:
        """Lock at `level`, once: False when a concurrent failure already locked the account."""
        result: CursorResult[tuple[()]] = await session.execute(  # type: ignore[assignment]
            update(User)
            .where(User.id == user_id, User.failed_logins >= threshold, User.lock_level == level)
            .values(locked_until=until, lock_level=level + 1, failed_logins=0)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def clear_failed_logins(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(
            update(User)
            .where(
                User.id == user_id,
                (User.failed_logins != 0) | (User.lock_level != 0) | User.locked_until.is_not(None),
            )
            .values(failed_logins=0, lock_level=0, locked_until=None)
            .execution_options(synchronize_session=False)
        )


user_repository = UserRepository()
