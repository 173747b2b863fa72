"""The order-periods migration on a database with paid orders: an order announced by OrderPaid
and one announced by SubscriptionRenewed take the period their event's payload names (written
by `record_event`, so in the app's own JSON form), an order no event announced stays without
one; the downgrade drops the columns and the upgrade runs again. On SQLite, and on PostgreSQL
when set."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Integer,
    String,
    Uuid,
    column,
    insert,
    inspect,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from fitcoach.commerce.billing.events import SubscriptionRenewed
from fitcoach.commerce.events import OrderPaid
from fitcoach.db.migrate import alembic_config
from fitcoach.models import Order
from fitcoach.worker.events import record_event
from tests.db.migrations import empty_database, load_migration

MIGRATION = load_migration("20261208_0035_order_periods.py")

_TIME = DateTime(timezone=True)
_NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
_STAMPS = {"created_at": _NOW, "updated_at": _NOW}
# The first order's period is whole seconds; the renewal's ends on a fraction of one, which the
# payload writes with microseconds ("...T10:00:00.250000Z").
_PAID_PERIOD = (_NOW, _NOW + timedelta(weeks=4))
_RENEWED_PERIOD = (
    datetime(2027, 1, 4, 10, tzinfo=UTC),
    datetime(2027, 2, 1, 10, 0, 0, 250_000, tzinfo=UTC),
)
# The tables as the schema before the migration has them (the models are already past it).
_USERS = table(
    "users",
    column("id", Uuid()),
    column("name", String()),
    *(column(name, Boolean()) for name in ("phone_verified", "email_verified", "is_blocked")),
    *(column(name, _TIME) for name in ("created_at", "updated_at")),
)
_PRODUCTS = table(
    "products",
    *(column(name, Uuid()) for name in ("id", "coach_id")),
    *(column(name, String()) for name in ("title", "description", "currency", "level", "status")),
    *(column(name, JSON()) for name in ("goals", "tags", "contraindications", "media_urls")),
    *(column(name, Integer()) for name in ("duration_weeks", "price_minor", "sessions_per_month")),
    *(
        column(name, Boolean())
        for name in ("custom_training_plan", "custom_diet_plan", "chat_access")
    ),
    *(column(name, _TIME) for name in ("published_at", "created_at", "updated_at")),
)
_ORDERS = table(
    "orders",
    *(column(name, Uuid()) for name in ("id", "user_id", "product_id")),
    column("addon_ids", JSON()),
    *(column(name, String()) for name in ("status", "currency", "provider", "intent_id")),
    column("client_secret", String()),
    column("total_minor", Integer()),
    *(column(name, _TIME) for name in ("paid_at", "created_at", "updated_at")),
)


async def _seed(url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A product's three paid orders: the first announced by OrderPaid, the second by
    SubscriptionRenewed, the third by no event still in the outbox."""
    engine = create_async_engine(url)
    coach_id, customer_id, product_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    paid_id, renewed_id, silent_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            insert(_USERS),
            [
                {
                    "id": user_id,
                    "name": name,
                    "phone_verified": False,
                    "email_verified": False,
                    "is_blocked": False,
                    **_STAMPS,
                }
                for user_id, name in ((coach_id, "Coach"), (customer_id, "Ann"))
            ],
        )
        await connection.execute(
            insert(_PRODUCTS).values(
                id=product_id,
                coach_id=coach_id,
                title="Strength",
                description="",
                currency="USD",
                level="beginner",
                status="published",
                goals=[],
                tags=[],
                contraindications=[],
                media_urls=[],
                duration_weeks=4,
                price_minor=4900,
                sessions_per_month=4,
                custom_training_plan=False,
                custom_diet_plan=False,
                chat_access=False,
                published_at=_NOW,
                **_STAMPS,
            )
        )
        await connection.execute(
            insert(_ORDERS),
            [
                {
                    "id": order_id,
                    "user_id": customer_id,
                    "product_id": product_id,
                    "addon_ids": [],
                    "status": "paid",
                    "currency": "USD",
                    "provider": "sandbox",
                    "intent_id": f"pi_{number}",
                    "client_secret": "secret",
                    "total_minor": 4900,
                    "paid_at": _NOW,
                    **_STAMPS,
                }
                for number, order_id in enumerate((paid_id, renewed_id, silent_id))
            ],
        )
    subscription_id = uuid.uuid4()
    async with AsyncSession(engine) as session:
        record_event(
            session,
            OrderPaid(
                occurred_at=_NOW,
                actor_id=customer_id,
                subject_type="order",
                subject_id=str(paid_id),
                order_id=paid_id,
                invoice_id=uuid.uuid4(),
                user_id=customer_id,
                product_id=product_id,
                product_title="Strength",
                coach_id=coach_id,
                subscription_id=subscription_id,
                period_start=_PAID_PERIOD[0],
                period_end=_PAID_PERIOD[1],
                amount_minor=4900,
                currency="USD",
                sessions_per_month=4,
                custom_plans=False,
            ),
        )
        record_event(
            session,
            SubscriptionRenewed(
                occurred_at=_RENEWED_PERIOD[0],
                actor_id=None,
                subject_type="subscription",
                subject_id=str(subscription_id),
                subscription_id=subscription_id,
                user_id=customer_id,
                order_id=renewed_id,
                amount_minor=4900,
                currency="USD",
                period_start=_RENEWED_PERIOD[0],
                ends_at=_RENEWED_PERIOD[1],
                product_title="Strength",
                sessions_per_month=4,
            ),
        )
        await session.commit()
    await engine.dispose()
    return paid_id, renewed_id, silent_id


async def _periods(url: str) -> dict[uuid.UUID, tuple[datetime | None, datetime | None]]:
    """Every order's period, read as the app reads it."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(select(Order.id, Order.period_start, Order.period_end))
        periods = {order_id: (start, end) for order_id, start, end in rows}
    await engine.dispose()
    return periods


async def _order_columns(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(
            lambda sync: {one["name"] for one in inspect(sync).get_columns("orders")}
        )
    await engine.dispose()
    return names


def test_orders_take_their_period_from_the_outbox_and_the_columns_go_down(
    tmp_path: Path,
) -> None:
    with empty_database(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, MIGRATION.down_revision)
        paid_id, renewed_id, silent_id = asyncio.run(_seed(url))
        expected = {paid_id: _PAID_PERIOD, renewed_id: _RENEWED_PERIOD, silent_id: (None, None)}

        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_periods(url)) == expected

        command.downgrade(config, MIGRATION.down_revision)
        assert not {"period_start", "period_end"} & asyncio.run(_order_columns(url))

        command.upgrade(config, MIGRATION.revision)
        assert asyncio.run(_periods(url)) == expected
