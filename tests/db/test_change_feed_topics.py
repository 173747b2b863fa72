"""The read caches can trust the change feed: every table a cached read shows has a trigger that
announces the read's topic, and every topic has a trigger that announces it, as the migrated
PostgreSQL database holds them (pg_trigger). A topic renamed in db/cache/topics.py, or a cached
table added without its trigger, fails here instead of serving stale rows."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import fitcoach.app  # noqa: F401 - imports every repository, so every cached read is declared
from fitcoach.db.base import Base
from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import declared_reads

# Each trigger that calls an announcing function (fitcoach_announce_change, or
# fitcoach_announce_session_coach for bookings, which announce their session's coach), with its
# table and its first argument (the topic); tgargs holds the arguments NUL-separated.
_TRIGGERS = text(
    """
    SELECT c.relname AS table_name, t.tgargs AS arguments
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE p.proname IN ('fitcoach_announce_change', 'fitcoach_announce_session_coach')
      AND NOT t.tgisinternal
    """
)


async def _announced(database_url: str) -> set[tuple[str, str]]:
    """(table, topic) of every change-feed trigger."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(_TRIGGERS)).all()
    finally:
        await engine.dispose()
    return {(row.table_name, bytes(row.arguments).split(b"\x00")[0].decode()) for row in rows}


def test_every_cached_read_names_a_topic_and_tables_that_exist() -> None:
    reads = declared_reads()
    assert {read.name for read in reads} == {
        "callers",
        "subscriptions",
        "settings",
        "plan_views",
        "custom_plan_ids",
        "catalog_pages",
        "coach_calendars",
        "api_keys",
        "rendered_days",
        "time_zones",
    }
    for read in reads:
        assert read.topic in topics.ALL, read.name
        assert read.tables, read.name
        assert set(read.tables) <= set(Base.metadata.tables), read.name


@pytest.mark.postgres_only
async def test_every_cached_table_and_every_topic_has_a_trigger(database_url: str) -> None:
    announced = await _announced(database_url)
    missing = {
        (read.name, table)
        for read in declared_reads()
        for table in read.tables
        if (table, read.topic) not in announced
    }
    assert missing == set()
    assert {topic for _table, topic in announced} == topics.ALL
