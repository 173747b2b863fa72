"""Who may list their customers."""

from __future__ import annotations

from typing import Annotated

from fitcoach.access.dependencies import require_role
from fitcoach.models import User
from fitcoach.models.enums import Role

CoachUser = Annotated[User, require_role(Role.COACH, message="Only coaches have customers")]
