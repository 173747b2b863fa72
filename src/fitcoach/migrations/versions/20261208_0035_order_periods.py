"""Orders keep the period of the subscription they paid for (`period_start`, `period_end`): an
upgrade tops up that period's sessions month by month, on the months its grants were made of.

Orders paid before this revision take their period from the events that announced the payment
(`OrderPaid`, `SubscriptionRenewed`) while the outbox still holds them; an order left without
one tops up nothing.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08 10:00:00.000000
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)
# The event type, and the payload's keys of the period's start and end.
_PAID_EVENTS = {
    "commerce.order_paid": ("period_start", "period_end"),
    "commerce.subscription_renewed": ("period_start", "ends_at"),
}
_OUTBOX = sa.table("outbox_events", sa.column("type", sa.String()), sa.column("payload", sa.JSON()))
_ORDERS = sa.table(
    "orders",
    sa.column("id", sa.Uuid()),
    sa.column("period_start", _TIME),
    sa.column("period_end", _TIME),
)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_start", _TIME, nullable=True))
        batch_op.add_column(sa.Column("period_end", _TIME, nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_OUTBOX.c.type, _OUTBOX.c.payload).where(_OUTBOX.c.type.in_(_PAID_EVENTS))
    )
    for kind, payload in rows.all():
        start, end = _PAID_EVENTS[kind]
        bind.execute(
            _ORDERS.update()
            .where(_ORDERS.c.id == uuid.UUID(payload["order_id"]))
            .values(period_start=_instant(payload[start]), period_end=_instant(payload[end]))
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("period_end")
        batch_op.drop_column("period_start")
