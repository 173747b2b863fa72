from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Subscription(IdMixin, TimestampMixin, Base):
    """Active on [starts_at, ends_at); ends_at = starts_at + days, so zero days is never active.
    A bought subscription names its product and carries the product's entitlements as they were
    when paid for; a free or granted one has no product and none."""

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_user_type", "user_id", "type"),)

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
