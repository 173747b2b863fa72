"""Paid drop-in places: a session may have a price for one place, an order is for a product or a
session, and a booking keeps the order that paid for it (refunded through it).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN_ORDER = sa.text("status IN ('pending', 'requires_action')")


def _open_order_index(name: str, column: str) -> None:
    op.create_index(
        name,
        "orders",
        ["user_id", column],
        unique=True,
        sqlite_where=_OPEN_ORDER,
        postgresql_where=_OPEN_ORDER,
    )


def upgrade() -> None:
    with op.batch_alter_table("scheduled_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drop_in_price_minor", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("drop_in_currency", sa.String(length=3), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_scheduled_sessions_drop_in_priced"),
            "(drop_in_price_minor IS NULL) = (drop_in_currency IS NULL)",
        )
    # SQLite rebuilds the table: its partial index is made again afterwards, as declared.
    op.drop_index("uq_orders_open_user_product", table_name="orders")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("product_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.add_column(sa.Column("session_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_orders_session_id_scheduled_sessions"),
            "scheduled_sessions",
            ["session_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_index(batch_op.f("ix_orders_session_id"), ["session_id"])
        batch_op.create_check_constraint(
            op.f("ck_orders_one_item"), "(product_id IS NULL) <> (session_id IS NULL)"
        )
    _open_order_index("uq_orders_open_user_product", "product_id")
    _open_order_index("uq_orders_open_user_session", "session_id")
    with op.batch_alter_table("session_bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_session_bookings_order_id_orders"),
            "orders",
            ["order_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_index(batch_op.f("ix_session_bookings_order_id"), ["order_id"])


def downgrade() -> None:
    with op.batch_alter_table("session_bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_bookings_order_id"))
        batch_op.drop_constraint(op.f("fk_session_bookings_order_id_orders"), type_="foreignkey")
        batch_op.drop_column("order_id")
    # Drop-in orders have no product to keep: they go with the column, their invoices,
    # payments and refunds first.
    session_orders = "SELECT id FROM orders WHERE session_id IS NOT NULL"
    for table in ("refunds", "payments", "promo_redemptions"):
        op.execute(f"DELETE FROM {table} WHERE order_id IN ({session_orders})")  # noqa: S608
    invoices = f"SELECT id FROM invoices WHERE order_id IN ({session_orders})"  # noqa: S608
    op.execute(f"DELETE FROM invoice_lines WHERE invoice_id IN ({invoices})")  # noqa: S608
    op.execute(f"DELETE FROM invoices WHERE order_id IN ({session_orders})")  # noqa: S608
    op.execute("DELETE FROM orders WHERE session_id IS NOT NULL")
    op.drop_index("uq_orders_open_user_session", table_name="orders")
    op.drop_index("uq_orders_open_user_product", table_name="orders")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_one_item"), type_="check")
        batch_op.drop_index(batch_op.f("ix_orders_session_id"))
        batch_op.drop_constraint(
            op.f("fk_orders_session_id_scheduled_sessions"), type_="foreignkey"
        )
        batch_op.drop_column("session_id")
        batch_op.alter_column("product_id", existing_type=sa.Uuid(), nullable=False)
    _open_order_index("uq_orders_open_user_product", "product_id")
    with op.batch_alter_table("scheduled_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_scheduled_sessions_drop_in_priced"), type_="check")
        batch_op.drop_column("drop_in_currency")
        batch_op.drop_column("drop_in_price_minor")
