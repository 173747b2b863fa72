"""Ways of proving who one is beyond phone and password: social identities, email verification
codes, and the TOTP second factor with its recovery codes and pending login challenges."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class UserIdentity(IdMixin, TimestampMixin, Base):
    """A social account (Google, Apple, Facebook) signed in as a user, keyed by the provider's
    stable subject id; the email is what the provider said at linking time."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))


class EmailVerificationCode(IdMixin, TimestampMixin, Base):
    """A code mailed to prove an address; only its keyed hash is stored. The newest unconsumed
    code of an address is the live one."""

    __tablename__ = "email_verification_codes"
    __table_args__ = (Index("ix_email_verification_codes_email_created", "email", "created_at"),)

    email: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]


class MfaTotp(TimestampMixin, Base):
    """A user's TOTP secret, encrypted. Unconfirmed while setup is pending; the last accepted
    time step is kept so a code is never accepted twice."""

    __tablename__ = "mfa_totp"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[datetime | None]
    last_used_step: Mapped[int | None]


class MfaRecoveryCode(IdMixin, TimestampMixin, Base):
    __tablename__ = "mfa_recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]


class MfaChallenge(IdMixin, TimestampMixin, Base):
    """The half-done login of an MFA user: the first factor passed, the second is awaited. Its
    token is stored hashed, lives minutes, and works once."""

    __tablename__ = "mfa_challenges"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
