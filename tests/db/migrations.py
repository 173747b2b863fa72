"""What the migration tests share: a migration file loaded as a module (its revision's own
functions and constants), and an empty database to run the migrations in."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from fitcoach.db.migrate import MIGRATIONS_DIR

# The module, not its names: the factories load a migration too, and the harness imports them.
from tests import conftest


def load_migration(file_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        file_name.removesuffix(".py"), MIGRATIONS_DIR / "versions" / file_name
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A SQLite file in `tmp_path`, or a fresh PostgreSQL database dropped afterwards."""
    postgres_url = conftest.POSTGRES_URL
    if not postgres_url:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migration.db'}"
        return
    name = f"fitcoach_test_migration_{uuid.uuid4().hex[:12]}"
    asyncio.run(conftest.admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{postgres_url.rstrip('/')}/{name}"
    finally:
        asyncio.run(conftest.admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
