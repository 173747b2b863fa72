"""Analytics: the finance report's exports, built by a background job and kept until they
expire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class FinanceExport(IdMixin, TimestampMixin, Base):
    """One requested export of the finance report: pending until the job builds the file,
    then ready (its file in the "exports" storage area until expires_at) or failed; expired
    once the clean-up job has deleted the file."""

    __tablename__ = "finance_exports"
    __table_args__ = (
        Index("ix_finance_exports_created", "created_at"),
        Index("ix_finance_exports_status_expires", "status", "expires_at"),
    )

    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    format: Mapped[str] = mapped_column(String(8))
    # The report's query: from, to, currency, groupBy.
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    size: Mapped[int | None]
    completed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
