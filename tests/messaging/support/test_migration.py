"""The support migration up, down and up again: its tables and columns come and go, and a
setting's value holds more than 255 characters once it is text; on SQLite, and on PostgreSQL
when set."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261207_0026_support.py")
TABLES = {"support_tickets", "support_replies", "support_agents"}


async def _schema(url: str) -> tuple[set[str], set[str], set[str]]:
    """The support tables present, and the added columns of attachments and participants."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:

        def read(sync):  # type: ignore[no-untyped-def]
            inspector = inspect(sync)
            return (
                TABLES & set(inspector.get_table_names()),
                {one["name"] for one in inspector.get_columns("attachments")} & {"ticket_id"},
                {one["name"] for one in inspector.get_columns("thread_participants")}
                & {"digested_seq"},
            )

        found = await connection.run_sync(read)
    await engine.dispose()
    return found


async def _long_setting(url: str) -> int:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO settings (key, value, created_at, updated_at) "
                "VALUES ('SUPPORT_POLICY', :value, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"value": "x" * 4000},
        )
        length = (await connection.execute(text("SELECT length(value) FROM settings"))).scalar()
        await connection.execute(text("DELETE FROM settings"))
    await engine.dispose()
    return int(length or 0)


def test_the_support_schema_comes_and_goes(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_schema(url)) == (TABLES, {"ticket_id"}, {"digested_seq"})
        assert asyncio.run(_long_setting(url)) == 4000
        command.downgrade(config, MIGRATION.down_revision)
        assert asyncio.run(_schema(url)) == (set(), set(), set())
        command.upgrade(config, "head")
        assert asyncio.run(_schema(url))[0] == TABLES
