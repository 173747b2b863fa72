"""The caller of an authenticated request: a read-only snapshot of their account, loaded with one
Core query per request (no ORM identity map, no lazy loads). Endpoints that change the caller's
own account load the ORM `User` through its service; everything else reads this."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fitcoach.models.enums import Role


@dataclass(frozen=True, slots=True)
class Principal:
    id: uuid.UUID
    session_id: uuid.UUID
    roles: tuple[Role, ...]
    name: str
    phone: str | None
    email: str | None
    phone_verified: bool
    email_verified: bool
    height_cm: float | None
    weight_kg: float | None
    age: int | None
    gender: str | None
    is_blocked: bool
    mfa_enabled: bool
    created_at: datetime

    def has_role(self, role: Role) -> bool:
        return role in self.roles
