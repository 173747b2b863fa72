"""Who buys, and what a checkout needs from the app: the payment provider and the tax policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.access.dependencies import require_role
from fitcoach.access.principal import Principal
from fitcoach.commerce.invoices.pricing import TaxPolicy
from fitcoach.commerce.payments.providers import PaymentProvider
from fitcoach.http.dependencies import SettingsDep
from fitcoach.models.enums import Role

Buyer = Annotated[
    Principal, require_role(Role.CUSTOMER, message="Only customers buy products and pay orders")
]


async def _provider(request: Request) -> PaymentProvider:
    provider: PaymentProvider = request.app.state.payment_provider
    return provider


async def _tax(settings: SettingsDep) -> TaxPolicy:
    return TaxPolicy(settings.tax_rate_basis_points, settings.tax_inclusive)


ProviderDep = Annotated[PaymentProvider, Depends(_provider)]
TaxDep = Annotated[TaxPolicy, Depends(_tax)]
