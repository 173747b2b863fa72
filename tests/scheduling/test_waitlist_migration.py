"""The waitlist migration: existing sessions hold no places, existing bookings have no
cancellation time, and the downgrade removes what it added; on SQLite, and on PostgreSQL when
set."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import DateTime, Integer, String, Uuid, column, insert, inspect, table, text
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from fitcoach.models import User
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261207_0024_waitlist.py")


_TIME = DateTime(timezone=True)
# The sessions as the schema before the migration has them (the model is already past it).
_SESSIONS = table(
    "scheduled_sessions",
    *(column(name, Uuid()) for name in ("id", "coach_id")),
    *(column(name, String()) for name in ("type", "status", "timezone", "location")),
    *(column(name, Integer()) for name in ("capacity", "booked", "sequence")),
    *(
        column(name, _TIME)
        for name in ("start_at", "end_at", "coach_busy_until", "created_at", "updated_at")
    ),
)


async def _seed(url: str) -> None:
    """A coach's session as the schema before the migration stores it."""
    engine = create_async_engine(url)
    coach_id = uuid.uuid4()
    start = datetime(2026, 12, 9, 10, tzinfo=UTC)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(insert(User), [{"id": coach_id, "name": "Coach"}])
        await connection.execute(
            insert(_SESSIONS).values(
                id=uuid.uuid4(),
                coach_id=coach_id,
                type="class",
                status="scheduled",
                timezone="UTC",
                location="Studio",
                capacity=8,
                booked=0,
                sequence=0,
                start_at=start,
                end_at=start + timedelta(hours=1),
                coach_busy_until=start + timedelta(hours=1),
                created_at=now,
                updated_at=now,
            )
        )
    await engine.dispose()


async def _schema(url: str) -> tuple[set[str], set[str], set[str], list[int]]:
    """The tables, the sessions' and bookings' columns, and the sessions' held counts."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:

        def read(sync):  # type: ignore[no-untyped-def]
            found = inspect(sync)
            return (
                set(found.get_table_names()),
                {one["name"] for one in found.get_columns("scheduled_sessions")},
                {one["name"] for one in found.get_columns("session_bookings")},
            )

        tables, sessions, bookings = await connection.run_sync(read)
        held = []
        if "held" in sessions:
            held = list(
                (await connection.execute(text("SELECT held FROM scheduled_sessions"))).scalars()
            )
    await engine.dispose()
    return tables, sessions, bookings, held


def test_the_waitlist_migration_goes_up_and_down(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.down_revision)
        asyncio.run(_seed(url))

        command.upgrade(config, MIGRATION.revision)
        tables, sessions, bookings, held = asyncio.run(_schema(url))
        assert "waitlist_entries" in tables
        assert ("held" in sessions, "canceled_at" in bookings, held) == (True, True, [0])

        command.downgrade(config, MIGRATION.down_revision)
        tables, sessions, bookings, held = asyncio.run(_schema(url))
        assert "waitlist_entries" not in tables
        assert ("held" in sessions, "canceled_at" in bookings) == (False, False)
        command.upgrade(config, "head")
        assert "waitlist_entries" in asyncio.run(_schema(url))[0]
