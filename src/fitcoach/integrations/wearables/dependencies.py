"""Who connects wearables: customers, for themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from fitcoach.access.dependencies import require_role
from fitcoach.access.principal import Principal
from fitcoach.integrations.wearables.signatures import WearableProvider
from fitcoach.models.enums import Role

CustomerUser = Annotated[
    Principal, require_role(Role.CUSTOMER, message="Only customers connect wearables")
]
ProviderPath = Annotated[
    WearableProvider, Path(alias="provider", description="fitbit, oura or whoop")
]
