"""The run's own PostgreSQL database and Redis database: made fresh, migrated, dropped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import redis

from harness.config import Targets

# Migrations run in a child process with the server's environment, so they see exactly the
# settings the server will (and none of the harness's own FITCOACH_* variables or .env).
_MIGRATE = (
    "import sys; from fitcoach.db.migrate import upgrade_to_head; upgrade_to_head(sys.argv[1])"
)


async def recreate_database(targets: Targets) -> None:
    connection = await asyncpg.connect(f"{targets.postgres_url.rstrip('/')}/postgres")
    try:
        # FORCE ends connections a crashed earlier run may have left behind.
        await connection.execute(f'DROP DATABASE IF EXISTS "{targets.database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{targets.database}"')
    finally:
        await connection.close()


async def drop_database(targets: Targets) -> None:
    connection = await asyncpg.connect(f"{targets.postgres_url.rstrip('/')}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{targets.database}" WITH (FORCE)')
    finally:
        await connection.close()


def migrate(targets: Targets, env: dict[str, str], cwd: Path) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", _MIGRATE, targets.sqlalchemy_url],
        env=env,
        cwd=cwd,
        check=True,
    )


async def table_exists(targets: Targets, table: str) -> bool:
    connection = await asyncpg.connect(targets.database_dsn)
    try:
        return bool(await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", table))
    finally:
        await connection.close()


async def server_version(targets: Targets) -> str:
    connection = await asyncpg.connect(f"{targets.postgres_url.rstrip('/')}/postgres")
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def flush_redis(url: str) -> None:
    """Empty the run's Redis database (only that one: FLUSHDB, not FLUSHALL)."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()
