"""Who may call the training endpoints."""

from __future__ import annotations

from typing import Annotated

from fitcoach.access.dependencies import require_role
from fitcoach.access.principal import Principal
from fitcoach.models.enums import Role

CustomerUser = Annotated[
    Principal, require_role(Role.CUSTOMER, message="Only customers follow plans")
]
