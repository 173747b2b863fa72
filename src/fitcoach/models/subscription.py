from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin

AWAITING_AUTHENTICATION = "status = 'requires_action'"


class Subscription(IdMixin, TimestampMixin, Base):
    """Active on [starts_at, ends_at); ends_at = starts_at + days, so zero days is never active.
    A bought subscription names its product and carries the product's entitlements as they were
    when paid for; a free or granted one has no product and none."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_user_type", "user_id", "type"),
        Index("ix_subscriptions_type_status_ends", "type", "status", "ends_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    days: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    granted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL")
    )
    sessions_per_month: Mapped[int] = mapped_column(default=0, server_default="0")
    custom_training_plan: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    custom_diet_plan: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    chat_access: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A paid subscription's billing state: active, past_due (its renewal failed; retried until
    # `renewal_period_end` + the dunning days, access kept meanwhile), expired or canceled.
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    cancel_at_period_end: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # While past due: the period end the renewal is for, and when it is tried next.
    renewal_period_end: Mapped[datetime | None]
    next_renewal_attempt_at: Mapped[datetime | None]
    renewal_attempts: Mapped[int] = mapped_column(default=0, server_default="0")


class SubscriptionChange(IdMixin, TimestampMixin, Base):
    """A change of a paid subscription: applied at once (an upgrade, an immediate cancel, a
    resume) or scheduled (a downgrade, a pause, a cancel at the period end) for a job to apply
    at `effective_at`. A pause covers [effective_at, ends_at). An upgrade is prorated up to
    `ends_at` (the period end it was priced for); one whose charge waits on the customer's
    authentication is `requires_action`, its `order_id` the order paying it; one for a later
    day is `scheduled`, charged and applied by the billing job at `effective_at`."""

    __tablename__ = "subscription_changes"
    __table_args__ = (
        Index("ix_subscription_changes_subscription", "subscription_id", "action", "status"),
        Index("ix_subscription_changes_due", "status", "effective_at"),
        # A provider's webhook finds the upgrade its order pays.
        Index("ix_subscription_changes_order", "order_id"),
        # One upgrade at a time awaits authentication: a second would charge twice.
        Index(
            "uq_subscription_changes_awaiting",
            "subscription_id",
            unique=True,
            sqlite_where=text(AWAITING_AUTHENTICATION),
            postgresql_where=text(AWAITING_AUTHENTICATION),
        ),
    )

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    effective_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    target_product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL")
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    credit_minor: Mapped[int] = mapped_column(default=0)
    charge_minor: Mapped[int] = mapped_column(default=0)
    # An upgrade's frozen proration: the days it was priced for, and the method it was tried
    # with (what its confirm pays with unless told otherwise).
    remaining_days: Mapped[int | None] = mapped_column(default=None)
    payment_method: Mapped[str | None] = mapped_column(String(255), default=None)
    # A scheduled upgrade's quoted charge for the target's remaining days, before tax: with
    # `credit_minor` the lines its invoice is issued with on its day, as the customer was told.
    prorated_charge_minor: Mapped[int | None] = mapped_column(default=None)
