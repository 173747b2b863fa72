"""The subscription-changes migration goes up and down (and up again) on SQLite, and on
PostgreSQL when set: a subscription already there keeps its row and starts active."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import insert, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from fitcoach.models import User
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261207_0022_subscription_changes.py")
NOW = datetime(2026, 12, 7, tzinfo=UTC)


async def _seed(url: str, user_id: uuid.UUID) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(insert(User), [{"id": user_id, "name": "Ann"}])
        await connection.execute(
            text(
                "INSERT INTO subscriptions (id, user_id, type, days, starts_at, ends_at, "
                "created_at, updated_at) VALUES (:id, :user, 'paid', 30, :start, :end, :start, "
                ":start)"
            ),
            {
                "id": uuid.uuid4().hex if url.startswith("sqlite") else uuid.uuid4(),
                "user": user_id.hex if url.startswith("sqlite") else user_id,
                "start": NOW,
                "end": NOW + timedelta(days=30),
            },
        )
    await engine.dispose()


async def _shape(url: str) -> tuple[bool, list[str]]:
    """Whether subscription_changes exists, and every subscription's billing status."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        columns = await connection.run_sync(
            lambda sync: [column["name"] for column in inspect(sync).get_columns("subscriptions")]
        )
        statuses: list[str] = []
        if "status" in columns:
            statuses = list(
                (await connection.execute(text("SELECT status FROM subscriptions"))).scalars()
            )
    await engine.dispose()
    return "subscription_changes" in tables, statuses


def test_up_down_and_up_again(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.down_revision)
        asyncio.run(_seed(url, uuid.uuid4()))
        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_shape(url)) == (True, ["active"])
        command.downgrade(config, MIGRATION.down_revision)
        assert asyncio.run(_shape(url)) == (False, [])
        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_shape(url)) == (True, ["active"])
