"""The drop-in migration on a database with data: sessions, their bookings and a product's
paid order with its invoice survive it (SQLite rebuilds the tables that others reference);
the downgrade removes drop-in orders and what it added; on SQLite, and on PostgreSQL when
set."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    String,
    Uuid,
    column,
    func,
    insert,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import create_async_engine

from fitcoach.db.migrate import alembic_config
from fitcoach.models import Invoice, Product, User
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261207_0029_drop_in_bookings.py")

_TIME = DateTime(timezone=True)
_NOW = datetime(2026, 12, 7, tzinfo=UTC)
_STAMPS = {"created_at": _NOW, "updated_at": _NOW}
# The tables as the schema before the migration has them (the models are already past it).
_SESSIONS = table(
    "scheduled_sessions",
    *(column(name, Uuid()) for name in ("id", "coach_id")),
    *(column(name, String()) for name in ("type", "status", "timezone", "location")),
    *(column(name, Integer()) for name in ("capacity", "booked", "held", "sequence")),
    *(
        column(name, _TIME)
        for name in ("start_at", "end_at", "coach_busy_until", "created_at", "updated_at")
    ),
)
_BOOKINGS = table(
    "session_bookings",
    *(column(name, Uuid()) for name in ("id", "session_id", "customer_id")),
    column("status", String()),
    *(column(name, _TIME) for name in ("start_at", "end_at", "created_at", "updated_at")),
)
_ORDERS = table(
    "orders",
    *(column(name, Uuid()) for name in ("id", "user_id", "product_id")),
    column("addon_ids", JSON()),
    *(column(name, String()) for name in ("status", "currency", "provider", "intent_id")),
    column("client_secret", String()),
    column("total_minor", Integer()),
    *(column(name, _TIME) for name in ("created_at", "updated_at")),
)


async def _seed(url: str) -> None:
    """A class with a booking, and a product's pending order with its invoice."""
    engine = create_async_engine(url)
    coach_id, customer_id, session_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    product_id, order_id = uuid.uuid4(), uuid.uuid4()
    start = datetime(2026, 12, 9, 10, tzinfo=UTC)
    end = start + timedelta(hours=1)
    async with engine.begin() as connection:
        await connection.execute(
            insert(User), [{"id": coach_id, "name": "Coach"}, {"id": customer_id, "name": "Ann"}]
        )
        await connection.execute(
            insert(_SESSIONS).values(
                id=session_id,
                coach_id=coach_id,
                type="class",
                status="scheduled",
                timezone="UTC",
                location="Studio",
                capacity=8,
                booked=1,
                held=0,
                sequence=0,
                start_at=start,
                end_at=end,
                coach_busy_until=end,
                **_STAMPS,
            )
        )
        await connection.execute(
            insert(_BOOKINGS).values(
                id=uuid.uuid4(),
                session_id=session_id,
                customer_id=customer_id,
                status="booked",
                start_at=start,
                end_at=end,
                **_STAMPS,
            )
        )
        await connection.execute(
            insert(Product).values(
                id=product_id,
                title="Strength",
                description="",
                goals=[],
                duration_weeks=4,
                price_minor=4900,
                currency="USD",
                level="beginner",
                coach_id=coach_id,
                tags=[],
                contraindications=[],
                media_urls=[],
                status="published",
                **_STAMPS,
            )
        )
        await connection.execute(
            insert(_ORDERS).values(
                id=order_id,
                user_id=customer_id,
                product_id=product_id,
                addon_ids=[],
                status="pending",
                currency="USD",
                provider="sandbox",
                intent_id="pi_1",
                client_secret="secret",
                total_minor=4900,
                **_STAMPS,
            )
        )
        await connection.execute(
            insert(Invoice).values(
                id=uuid.uuid4(),
                order_id=order_id,
                user_id=customer_id,
                number="INV-000001",
                status="open",
                currency="USD",
                subtotal_minor=4900,
                discount_minor=0,
                tax_minor=0,
                total_minor=4900,
                tax_rate_basis_points=0,
                tax_inclusive=True,
                issued_at=_NOW,
                **_STAMPS,
            )
        )
    await engine.dispose()


async def _state(url: str) -> tuple[set[str], set[str], set[str], tuple[int, int, int, int]]:
    """The columns added here, and how many sessions, bookings, orders and invoices there are."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:

        def read(sync):  # type: ignore[no-untyped-def]
            found = inspect(sync)
            return tuple(
                {one["name"] for one in found.get_columns(name)}
                for name in ("scheduled_sessions", "orders", "session_bookings")
            )

        sessions, orders, bookings = await connection.run_sync(read)
        counts = []
        for name in ("scheduled_sessions", "session_bookings", "orders", "invoices"):
            counted = await connection.scalar(select(func.count()).select_from(text(name)))
            counts.append(int(counted or 0))
    await engine.dispose()
    return sessions, orders, bookings, (counts[0], counts[1], counts[2], counts[3])


def test_the_drop_in_migration_keeps_the_data_and_goes_down(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.down_revision)
        asyncio.run(_seed(url))

        command.upgrade(config, MIGRATION.revision)
        sessions, orders, bookings, counts = asyncio.run(_state(url))
        assert {"drop_in_price_minor", "drop_in_currency"} <= sessions
        assert "session_id" in orders
        assert "order_id" in bookings
        assert counts == (1, 1, 1, 1)

        command.downgrade(config, MIGRATION.down_revision)
        sessions, orders, bookings, counts = asyncio.run(_state(url))
        assert "drop_in_price_minor" not in sessions
        assert ("session_id" in orders, "order_id" in bookings) == (False, False)
        assert counts == (1, 1, 1, 1)
        command.upgrade(config, "head")
