"""Support: tickets with their service-level deadlines, the replies on them, and the support
agents tickets are assigned to."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class SupportTicket(IdMixin, TimestampMixin, Base):
    """One request for help. Each of its two deadlines (first response, resolution) is a budget
    of working seconds (`*_target_s`, by priority); `*_due_at` and `*_warn_at` (80 % of the
    budget) are the instants it runs out, in the business's working hours. While the ticket
    waits for its customer the clock stops: the instants are cleared and what was left kept in
    `*_left_s`, to be counted again from when the customer answers. The `*_warned` and
    `*_breached` flags make each warning and breach event fire once."""

    __tablename__ = "support_tickets"
    __table_args__ = (
        Index("ix_support_tickets_requester_created", "requester_id", "created_at"),
        Index("ix_support_tickets_agent_status", "agent_id", "status"),
        Index("ix_support_tickets_status_created", "status", "created_at"),
    )

    requester_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The business's zone when the deadlines were counted, to show them in local time.
    time_zone: Mapped[str] = mapped_column(String(64))
    first_response_target_s: Mapped[int] = mapped_column(Integer)
    resolution_target_s: Mapped[int] = mapped_column(Integer)
    first_response_due_at: Mapped[datetime | None]
    first_response_warn_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    resolution_warn_at: Mapped[datetime | None]
    first_response_left_s: Mapped[int | None] = mapped_column(Integer)
    resolution_left_s: Mapped[int | None] = mapped_column(Integer)
    paused_at: Mapped[datetime | None]
    first_responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    first_response_warned: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    first_response_breached: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    resolution_warned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    resolution_breached: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class SupportReply(IdMixin, TimestampMixin, Base):
    """A reply on a ticket, by its requester or by support staff."""

    __tablename__ = "support_replies"
    __table_args__ = (Index("ix_support_replies_ticket_created", "ticket_id", "created_at"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("support_tickets.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)


class SupportAgent(TimestampMixin, Base):
    """A support agent's assignment state: whether they take new tickets, and when they were
    last given one (the round-robin's tie-break). Its rows are also what concurrent
    assignments lock, one after another."""

    __tablename__ = "support_agents"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    available: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_assigned_at: Mapped[datetime | None]
