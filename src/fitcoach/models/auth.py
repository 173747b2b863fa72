from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class OtpCode(IdMixin, TimestampMixin, Base):
    """A one-time code; only its keyed hash is stored. The newest unconsumed code of a phone and
    purpose is the live one."""

    __tablename__ = "otp_codes"
    __table_args__ = (
        Index("ix_otp_codes_phone_purpose_created", "phone", "purpose", "created_at"),
    )

    phone: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]


class AuthSession(IdMixin, TimestampMixin, Base):
    """A login: the family that every rotated refresh token of one sign-in belongs to. Access
    tokens name it too, so revoking it ends the access token on its next request."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    last_used_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class RefreshToken(IdMixin, TimestampMixin, Base):
    __tablename__ = "refresh_tokens"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginSource(TimestampMixin, Base):
    """Password-login failures from one client address: consecutive wrong passwords from it
    lock it (not the accounts it tried), each lock twice as long as the one before."""

    __tablename__ = "login_sources"

    ip: Mapped[str] = mapped_column(String(45), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    lock_level: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
