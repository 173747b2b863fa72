from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fitcoach.db.base import Base, IdMixin, TimestampMixin
from fitcoach.models.enums import Role


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    height_cm: Mapped[float | None]
    weight_kg: Mapped[float | None]
    age: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(16))
    is_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[datetime | None]
    # Password brute-force protection: consecutive failures, the current lock and how many locks
    # in a row there have been (each one twice as long as the last).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    lock_level: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # IANA name (e.g. "Africa/Cairo"); null: UTC. Quiet hours and "in two days" are local.
    time_zone: Mapped[str | None] = mapped_column(String(64))

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> list[Role]:
        return [Role(row.role) for row in self.role_rows]

    def has_role(self, role: Role) -> bool:
        return any(row.role == role for row in self.role_rows)


class UserRole(TimestampMixin, Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class Actor(Protocol):
    """Whoever performs an action: the request's caller (auth.principal.Principal) or a loaded
    User (the CLI, or a user acting on their own account). Authorization reads only these."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> Sequence[Role]: ...

    def has_role(self, role: Role) -> bool: ...
