"""Messaging: threads between people, who takes part in each (with how far they have read),
and the messages, numbered in order within their thread."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class MessageThread(IdMixin, TimestampMixin, Base):
    """A conversation. `pair_key` names the two people of a one-to-one thread (their ids in
    order): unique, so two first messages sent at once find or make the same thread. A group
    thread names what it belongs to instead: `session_id` (a session's thread) or `product_id`
    (a program's group), unique, so two handlers making it at once make one. The links are SET
    NULL on delete: the conversation is its participants' record too and outlives them."""

    __tablename__ = "message_threads"

    context: Mapped[str] = mapped_column(String(16))
    pair_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scheduled_sessions.id", ondelete="SET NULL"), unique=True
    )
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), unique=True
    )
    # Set when what the thread belongs to is over for good (a canceled session): its
    # participants still read it, nobody writes to it.
    closed_at: Mapped[datetime | None]
    # The number of the thread's last message; the next one takes last_seq + 1.
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_activity_at: Mapped[datetime]


class ThreadParticipant(TimestampMixin, Base):
    """One person in one thread. `read_seq`: the number of the last message they have read,
    the same on every device they use; their unread count follows from it."""

    __tablename__ = "thread_participants"
    __table_args__ = (
        # A person's threads by last activity, without sorting all of them.
        Index("ix_thread_participants_user_activity", "user_id", "last_activity_at"),
    )

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    read_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The number of the last message an unread-message e-mail digest told them of: a message
    # is in at most one digest.
    digested_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The thread's last activity, copied here so the listing seeks one index.
    last_activity_at: Mapped[datetime]


class Message(IdMixin, TimestampMixin, Base):
    """One message, sent at its created_at. A deleted one keeps its place (and number) but
    loses its content."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("thread_id", "seq"),)

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class Attachment(IdMixin, TimestampMixin, Base):
    """An uploaded file. Served only once `status` is clean (or unscanned, where no scanner is
    configured); `thread_id`: the thread whose message carries it, whose participants may then
    download it; or `post_id`: the community post that carries it, for the community's
    members and moderators."""

    __tablename__ = "attachments"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("message_threads.id", ondelete="SET NULL"), index=True
    )
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("community_posts.id", ondelete="SET NULL"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    # The support ticket that carries it: its requester and the support staff may download it.
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("support_tickets.id", ondelete="SET NULL"), index=True
    )
    has_thumbnail: Mapped[bool] = mapped_column(default=False)
