"""Who buys, and what a checkout needs from the app: the payment provider and the tax policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from fitcoach.access.dependencies import require_role
from fitcoach.access.principal import Principal
from fitcoach.commerce.invoices.pricing import TaxPolicy
from fitcoach.commerce.payments.dependencies import ProviderDep
from fitcoach.http.dependencies import SettingsDep
from fitcoach.models.enums import Role

Buyer = Annotated[
    Principal, require_role(Role.CUSTOMER, message="Only customers buy products and pay orders")
]


async def _tax(settings: SettingsDep) -> TaxPolicy:
    return TaxPolicy(settings.tax_rate_basis_points, settings.tax_inclusive)


TaxDep = Annotated[TaxPolicy, Depends(_tax)]

__all__ = ["Buyer", "ProviderDep", "TaxDep"]
