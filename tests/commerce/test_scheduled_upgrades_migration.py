"""The scheduled-upgrades migration goes up, down and up again on SQLite, and on PostgreSQL
when set: the quoted charge's column comes and goes, and going down withdraws an upgrade still
scheduled (the code before it would never apply one) while leaving other changes as they are."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    Uuid,
    column,
    insert,
    inspect,
    select,
    table,
)
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261209_0036_scheduled_upgrades.py")

_TIME = DateTime(timezone=True)
_NOW = datetime(2027, 1, 4, 12, tzinfo=UTC)
_STAMPS = {"created_at": _NOW, "updated_at": _NOW}
_USERS = table(
    "users",
    column("id", Uuid()),
    column("name", String()),
    *(column(name, Boolean()) for name in ("phone_verified", "email_verified", "is_blocked")),
    *(column(name, _TIME) for name in ("created_at", "updated_at")),
)
_SUBSCRIPTIONS = table(
    "subscriptions",
    *(column(name, Uuid()) for name in ("id", "user_id")),
    column("type", String()),
    column("days", Integer()),
    *(column(name, _TIME) for name in ("starts_at", "ends_at", "created_at", "updated_at")),
)
_CHANGES = table(
    "subscription_changes",
    *(column(name, Uuid()) for name in ("id", "subscription_id", "user_id")),
    *(column(name, String()) for name in ("action", "status")),
    *(column(name, Integer()) for name in ("credit_minor", "charge_minor")),
    *(column(name, _TIME) for name in ("effective_at", "created_at", "updated_at")),
)


async def _seed(url: str) -> None:
    """A subscription with a scheduled upgrade and a scheduled downgrade."""
    engine = create_async_engine(url)
    user_id, subscription_id = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            insert(_USERS).values(
                id=user_id,
                name="Ann",
                phone_verified=False,
                email_verified=False,
                is_blocked=False,
                **_STAMPS,
            )
        )
        await connection.execute(
            insert(_SUBSCRIPTIONS).values(
                id=subscription_id,
                user_id=user_id,
                type="paid",
                days=28,
                starts_at=_NOW,
                ends_at=_NOW + timedelta(days=28),
                **_STAMPS,
            )
        )
        await connection.execute(
            insert(_CHANGES),
            [
                {
                    "id": uuid.uuid4(),
                    "subscription_id": subscription_id,
                    "user_id": user_id,
                    "action": action,
                    "status": "scheduled",
                    "credit_minor": 0,
                    "charge_minor": 0,
                    "effective_at": _NOW + timedelta(days=14),
                    **_STAMPS,
                }
                for action in ("upgrade", "downgrade")
            ],
        )
    await engine.dispose()


async def _shape(url: str) -> tuple[bool, dict[str, str]]:
    """Whether the column is there, and each change's status by action."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: {one["name"] for one in inspect(sync).get_columns("subscription_changes")}
        )
        rows = await connection.execute(select(_CHANGES.c.action, _CHANGES.c.status))
        statuses: dict[str, str] = {row.action: row.status for row in rows}
    await engine.dispose()
    return "prorated_charge_minor" in columns, statuses


def test_up_down_and_up_again(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.revision)
        asyncio.run(_seed(url))
        scheduled = {"upgrade": "scheduled", "downgrade": "scheduled"}
        assert asyncio.run(_shape(url)) == (True, scheduled)
        command.downgrade(config, MIGRATION.down_revision)
        assert asyncio.run(_shape(url)) == (False, {**scheduled, "upgrade": "withdrawn"})
        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_shape(url))[0]
