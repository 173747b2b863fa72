"""The webhooks migration, up, down and up again, on SQLite (and PostgreSQL when set): its
tables and the coach tasks' completion column come and go together."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261207_0027_webhooks.py")
TABLES = {"webhook_endpoints", "webhook_subscriptions", "webhook_deliveries"}


async def _shape(url: str) -> tuple[set[str], set[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync: sa.Connection) -> tuple[set[str], set[str]]:
                inspector = sa.inspect(sync)
                tables = set(inspector.get_table_names()) & TABLES
                columns = {column["name"] for column in inspector.get_columns("coach_tasks")}
                return tables, columns

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


def test_the_webhook_tables_go_up_and_down(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.revision)
        tables, columns = asyncio.run(_shape(url))
        assert tables == TABLES
        assert "completed_at" in columns

        command.downgrade(config, MIGRATION.down_revision)
        tables, columns = asyncio.run(_shape(url))
        assert tables == set()
        assert "completed_at" not in columns

        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_shape(url))[0] == TABLES
