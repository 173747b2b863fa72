"""The migration of upgrades awaiting authentication goes up and down (and up again) on
SQLite, and on PostgreSQL when set: the change's frozen-proration columns and its indexes
come and go, and an upgrade's order stops (then starts again) counting as the customer's open
order for its product."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261207_0034_upgrades_awaiting_authentication.py")


async def _shape(url: str) -> tuple[set[str], set[str], str]:
    """The changes' new columns and indexes, and the open-order index's condition."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:

        def read(sync: object) -> tuple[set[str], set[str], str]:
            found = inspect(sync)
            columns = {column["name"] for column in found.get_columns("subscription_changes")}
            indexes = {index["name"] for index in found.get_indexes("subscription_changes")}
            [open_order] = [
                index
                for index in found.get_indexes("orders")
                if index["name"] == "uq_orders_open_user_product"
            ]
            options = open_order.get("dialect_options", {})
            where = options.get("sqlite_where", options.get("postgresql_where"))
            return columns, indexes, str(where)

        shape = await connection.run_sync(read)
    await engine.dispose()
    columns, indexes, where = shape
    return (
        columns & {"remaining_days", "payment_method"},
        indexes & {"uq_subscription_changes_awaiting", "ix_subscription_changes_order"},
        where,
    )


def test_up_down_and_up_again(tmp_path: Path) -> None:
    up = (
        {"remaining_days", "payment_method"},
        {
            "uq_subscription_changes_awaiting",
            "ix_subscription_changes_order",
        },
    )
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.revision)
        columns, indexes, where = asyncio.run(_shape(url))
        assert (columns, indexes) == up
        assert "subscription_id IS NULL" in where
        command.downgrade(config, MIGRATION.down_revision)
        columns, indexes, where = asyncio.run(_shape(url))
        assert (columns, indexes) == (set(), set())
        assert "subscription_id" not in where
        command.upgrade(config, MIGRATION.revision)
        columns, indexes, where = asyncio.run(_shape(url))
        assert (columns, indexes) == up
