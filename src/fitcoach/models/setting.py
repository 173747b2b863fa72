from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, TimestampMixin


class Setting(TimestampMixin, Base):
    """A business setting set by admins (DEFAULT_FREE_DAYS, DEFAULT_TRAINING_PLAN_ID, ...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Text: a policy (support's hours, holidays and budgets) is a JSON object of some length.
    value: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
