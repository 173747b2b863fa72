"""Who may answer the onboarding questionnaire."""

from __future__ import annotations

from typing import Annotated

from fitcoach.access.dependencies import require_role
from fitcoach.models import User
from fitcoach.models.enums import Role

CustomerUser = Annotated[
    User, require_role(Role.CUSTOMER, message="Only customers can submit an onboarding intake")
]
