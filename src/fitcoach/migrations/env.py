"""Alembic environment: runs migrations on the app's async engine (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from fitcoach import models  # noqa: F401 - registers every table on Base.metadata
from fitcoach.config import load_settings
from fitcoach.db.base import Base
from fitcoach.db.engine import create_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migrations left rows whose references are gone: {broken}")


async def _run_online(database_url: str) -> None:
    # A migration may rightly run long (an index built on a big table): no statement timeout.
    settings = load_settings(database_url=database_url, database_command_timeout_seconds=None)
    engine = create_engine(settings)
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds a table by dropping it, and with enforcement on the drop would
            # delete the rows that reference it (cascade) or fail (restrict); the references are
            # checked once the migrations have run instead. The pragma is ignored inside a
            # transaction: it is set on the driver's connection before the migrations' begins.
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.execute("PRAGMA foreign_keys=OFF")
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def main() -> None:
    database_url = context.config.get_main_option("sqlalchemy.url") or load_settings().database_url
    if context.is_offline_mode():
        context.configure(url=database_url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(database_url))


main()
