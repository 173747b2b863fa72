"""Who may call the training endpoints."""

from __future__ import annotations

from typing import Annotated

from fitcoach.access.dependencies import SignedIn, require_role, signed_in_read
from fitcoach.access.principal import Principal
from fitcoach.models.enums import Role

_ONLY_CUSTOMERS = "Only customers follow plans"
CustomerUser = Annotated[Principal, require_role(Role.CUSTOMER, message=_ONLY_CUSTOMERS)]
# A customer's safe request with its read session and now, in one dependency (GET only).
CustomerRead = Annotated[SignedIn, signed_in_read(Role.CUSTOMER, message=_ONLY_CUSTOMERS)]
