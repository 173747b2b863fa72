"""Upgrades awaiting the customer's authentication: an upgrade whose charge the bank wants
authenticated (3-D Secure) is kept as a change in `requires_action` until the customer's
confirm or the provider's webhook completes it. The change keeps what completing it needs: the
prorated days its frozen amounts were priced for and the payment method it was tried with.

At most one upgrade awaits authentication per subscription (a partial unique index), and the
order paying it (made with the subscription's id, like a renewal's) no longer counts as the
customer's open checkout order for its product: a checkout left open for the same product and
an upgrade awaiting authentication do not collide, and placing an order never hands an
upgrade's order back.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "status IN ('pending', 'requires_action')"
_OPEN_CHECKOUT = f"{_OPEN} AND subscription_id IS NULL"
_AWAITING = "status = 'requires_action'"


def _open_product_index(where: str) -> None:
    op.drop_index("uq_orders_open_user_product", table_name="orders")
    op.create_index(
        "uq_orders_open_user_product",
        "orders",
        ["user_id", "product_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    with op.batch_alter_table("subscription_changes") as batch:
        batch.add_column(sa.Column("remaining_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("payment_method", sa.String(length=255), nullable=True))
    op.create_index(
        "uq_subscription_changes_awaiting",
        "subscription_changes",
        ["subscription_id"],
        unique=True,
        sqlite_where=sa.text(_AWAITING),
        postgresql_where=sa.text(_AWAITING),
    )
    # A provider's webhook finds the upgrade its order pays.
    op.create_index("ix_subscription_changes_order", "subscription_changes", ["order_id"])
    _open_product_index(_OPEN_CHECKOUT)


def downgrade() -> None:
    # An upgrade still awaiting authentication cannot be kept without its columns: dropped, as
    # a withdrawn one is (its order is left failed and its invoice void).
    op.execute(
        "UPDATE orders SET status = 'failed' WHERE id IN (SELECT order_id FROM "
        "subscription_changes WHERE status = 'requires_action')"
    )
    op.execute(
        "UPDATE invoices SET status = 'void' WHERE order_id IN (SELECT order_id FROM "
        "subscription_changes WHERE status = 'requires_action')"
    )
    op.execute(
        "UPDATE subscription_changes SET status = 'withdrawn' WHERE status = 'requires_action'"
    )
    _open_product_index(_OPEN)
    op.drop_index("ix_subscription_changes_order", table_name="subscription_changes")
    op.drop_index("uq_subscription_changes_awaiting", table_name="subscription_changes")
    with op.batch_alter_table("subscription_changes") as batch:
        batch.drop_column("payment_method")
        batch.drop_column("remaining_days")
