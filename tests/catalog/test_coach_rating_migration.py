"""The migration that keeps coaches' review totals: it fills them from the products already there
(published ones only), and its downgrade removes them; on SQLite, and on PostgreSQL when set."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import insert, inspect, select
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from fitcoach.models import CoachRatingTotals, Product, User
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261202_0008_coach_rating_totals.py")


def _product(
    coach_id: uuid.UUID, status: str, rating_sum: int, rating_count: int
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "title": f"{status} {rating_sum}/{rating_count}",
        "goals": ["general_fitness"],
        "duration_weeks": 4,
        "price_minor": 1000,
        "currency": "USD",
        "level": "beginner",
        "coach_id": coach_id,
        "tags": [],
        "contraindications": [],
        "media_urls": [],
        "status": status,
        "rating_sum": rating_sum,
        "rating_count": rating_count,
        "rating_average": rating_sum / rating_count if rating_count else 0.0,
    }


async def _seed(url: str, coaches: dict[str, uuid.UUID]) -> None:
    """Ann: two published products, a draft and an archived one; Bob: only an archived one;
    Cy: a published product without reviews."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            insert(User), [{"id": coach_id, "name": name} for name, coach_id in coaches.items()]
        )
        await connection.execute(
            insert(Product),
            [
                _product(coaches["Ann"], "published", 9, 2),
                _product(coaches["Ann"], "published", 5, 1),
                _product(coaches["Ann"], "draft", 4, 1),
                _product(coaches["Ann"], "archived", 10, 3),
                _product(coaches["Bob"], "archived", 8, 2),
                _product(coaches["Cy"], "published", 0, 0),
            ],
        )
    await engine.dispose()


async def _totals(url: str) -> dict[uuid.UUID, tuple[int, int]] | None:
    """Every coach's stored totals, or None without the table."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        rows = None
        if CoachRatingTotals.__tablename__ in tables:
            result = await connection.execute(
                select(
                    CoachRatingTotals.coach_id,
                    CoachRatingTotals.rating_sum,
                    CoachRatingTotals.rating_count,
                )
            )
            rows = {coach_id: (total, count) for coach_id, total, count in result.all()}
    await engine.dispose()
    return rows


def test_the_totals_are_filled_from_published_products_and_dropped_on_downgrade(
    tmp_path: Path,
) -> None:
    coaches = {name: uuid.uuid4() for name in ("Ann", "Bob", "Cy")}
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.down_revision)
        asyncio.run(_seed(url, coaches))

        command.upgrade(config, MIGRATION.revision)
        expected = {coaches["Ann"]: (14, 3), coaches["Cy"]: (0, 0)}
        assert asyncio.run(_totals(url)) == expected

        command.downgrade(config, MIGRATION.down_revision)
        assert asyncio.run(_totals(url)) is None
        command.upgrade(config, "head")
        assert asyncio.run(_totals(url)) == expected
