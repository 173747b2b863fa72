"""Every query on the per-address count of password-login failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import LoginSource


class LoginSourceRepository:
    async def locked_until(self, session: AsyncSession, ip: str) -> datetime | None:
        source = await session.get(LoginSource, ip)
        return source.locked_until if source is not None else None

    async def count_failure(
        self, session: AsyncSession, ip: str, now: datetime, stale_before: datetime
    ) -> tuple[int, int]:
        """One more failure from the address, in one statement: (failures, lock level). A count
        whose last failure is older than `stale_before` starts again."""
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        statement = (
            insert(LoginSource)
            .values(ip=ip, failures=1, lock_level=0, updated_at=now)
            .on_conflict_do_update(
                index_elements=["ip"],
                set_={
                    "failures": case(
                        (LoginSource.updated_at < stale_before, 1),
                        else_=LoginSource.failures + 1,
                    ),
                    "updated_at": now,
                },
            )
            .returning(LoginSource.failures, LoginSource.lock_level)
        )
        row = (await session.execute(statement)).one()
        return int(row[0]), int(row[1])

    async def lock(
        self, session: AsyncSession, ip: str, *, level: int, until: datetime, threshold: int
    ) -> bool:
        """Lock at `level`, once: False when a concurrent failure already locked the address."""
        result: CursorResult[tuple[()]] = await session.execute(  # type: ignore[assignment]
            update(LoginSource)
            .where(
                LoginSource.ip == ip,
                LoginSource.failures >= threshold,
                LoginSource.lock_level == level,
            )
            .values(locked_until=until, lock_level=level + 1, failures=0)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


login_source_repository = LoginSourceRepository()
