"""The migration that gives every table `created_at` and `updated_at`: it fills them from what the
rows already tell, leaves no column nullable, and its downgrade removes exactly what it added; up,
down and up again, on SQLite, and on PostgreSQL when set."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.base import UTCDateTime
from fitcoach.db.migrate import alembic_config
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261207_0014_timestamps_everywhere.py")
T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

# The tables as they are before the migration: plain Core tables, so the rows are written as
# given, without the current models' defaults.
_META = sa.MetaData()


def _table(name: str, *columns: str) -> sa.Table:
    typed = [
        sa.Column(column, sa.Uuid() if column.endswith("id") else UTCDateTime())
        for column in columns
    ]
    return sa.Table(name, _META, *typed)


USERS = sa.Table(
    "users",
    _META,
    sa.Column("id", sa.Uuid()),
    sa.Column("name", sa.String()),
    sa.Column("phone_verified", sa.Boolean()),
    sa.Column("email_verified", sa.Boolean()),
    sa.Column("is_blocked", sa.Boolean()),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime()),
)
USER_ROLES = sa.Table(
    "user_roles", _META, sa.Column("user_id", sa.Uuid()), sa.Column("role", sa.String())
)
SESSIONS = _table("auth_sessions", "id", "user_id", "created_at", "last_used_at", "revoked_at")
ASSIGNMENTS = _table(
    "coach_assignments", "id", "customer_id", "coach_id", "assigned_at", "unassigned_at"
)
SETTINGS = sa.Table(
    "settings",
    _META,
    sa.Column("key", sa.String()),
    sa.Column("value", sa.String()),
    sa.Column("updated_at", UTCDateTime()),
)


def _at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


async def _seed(url: str, ann: uuid.UUID, bob: uuid.UUID) -> None:
    """Ann: an account made at T0 and changed at T0+1h, a role, a session used until T0+3h, and
    an assignment to Bob from T0+2h ended at T0+5h; and a setting changed at T0+4h."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        flags = {"phone_verified": True, "email_verified": False, "is_blocked": False}
        await connection.execute(
            sa.insert(USERS),
            [
                {"id": ann, "name": "Ann", "created_at": _at(0), "updated_at": _at(1), **flags},
                {"id": bob, "name": "Bob", "created_at": _at(0), "updated_at": _at(0), **flags},
            ],
        )
        await connection.execute(sa.insert(USER_ROLES), {"user_id": ann, "role": "CUSTOMER"})
        await connection.execute(
            sa.insert(SESSIONS),
            {"id": uuid.uuid4(), "user_id": ann, "created_at": _at(0), "last_used_at": _at(3)},
        )
        await connection.execute(
            sa.insert(ASSIGNMENTS),
            {
                "id": uuid.uuid4(),
                "customer_id": ann,
                "coach_id": bob,
                "assigned_at": _at(2),
                "unassigned_at": _at(5),
            },
        )
        await connection.execute(
            sa.insert(SETTINGS), {"key": "DEFAULT_FREE_DAYS", "value": "7", "updated_at": _at(4)}
        )
    await engine.dispose()


async def _stamps(url: str) -> dict[str, tuple[datetime, datetime]] | None:
    """(created_at, updated_at) of each seeded row, or None while the tables lack them."""
    engine = create_async_engine(url)
    stamps: dict[str, tuple[datetime, datetime]] = {}
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: {column["name"] for column in sa.inspect(sync).get_columns("user_roles")}
        )
        if "created_at" not in columns:
            await engine.dispose()
            return None
        for name in ("user_roles", "auth_sessions", "coach_assignments", "settings"):
            table = sa.table(
                name, sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime())
            )
            row = (
                await connection.execute(sa.select(table.c.created_at, table.c.updated_at))
            ).one()
            stamps[name] = (row.created_at, row.updated_at)
    await engine.dispose()
    return stamps


async def _nullable_stamps(url: str) -> list[str]:
    """Every created_at or updated_at column that allows NULL."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:

        def nullable(sync: sa.Connection) -> list[str]:
            inspector = sa.inspect(sync)
            return [
                f"{table}.{column['name']}"
                for table in inspector.get_table_names()
                for column in inspector.get_columns(table)
                if column["name"] in ("created_at", "updated_at") and column["nullable"]
            ]

        found = await connection.run_sync(nullable)
    await engine.dispose()
    return found


def test_the_stamps_are_filled_from_the_rows_history_and_dropped_on_downgrade(
    tmp_path: Path,
) -> None:
    ann, bob = uuid.uuid4(), uuid.uuid4()
    expected = {
        # A role dates from its account's creation.
        "user_roles": (_at(0), _at(0)),
        # A session last changed when it was last used.
        "auth_sessions": (_at(0), _at(3)),
        "coach_assignments": (_at(2), _at(5)),
        # A setting was created no later than its last change.
        "settings": (_at(4), _at(4)),
    }
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.down_revision)
        asyncio.run(_seed(url, ann, bob))

        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_stamps(url)) == expected
        assert asyncio.run(_nullable_stamps(url)) == []

        command.downgrade(config, MIGRATION.down_revision)
        assert asyncio.run(_stamps(url)) is None
        # What the tables had before is theirs to keep.
        assert asyncio.run(_nullable_stamps(url)) == []

        command.upgrade(config, "head")
        assert asyncio.run(_stamps(url)) == expected
