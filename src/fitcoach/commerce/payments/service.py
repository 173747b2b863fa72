"""Saved payment methods (the customer's own: list, remove) and the record of a capture."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.commerce.payments.exceptions import PaymentMethodNotFound
from fitcoach.commerce.payments.providers import MethodDetails, PaymentProvider
from fitcoach.commerce.payments.repository import payment_repository
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, Payment, PaymentMethod

# session.info key: the app's payment provider, for work done outside a request (an event
# handler's refund), set on the app's sessionmaker by create_app.
PROVIDER_INFO_KEY = "fitcoach.payment_provider"


def provider_of(session: AsyncSession) -> PaymentProvider:
    provider: PaymentProvider | None = session.info.get(PROVIDER_INFO_KEY)
    if provider is None:
        raise RuntimeError("the session's sessionmaker carries no payment provider")
    return provider


@dataclass(frozen=True)
class Capture:
    """Money a provider captured for an order."""

    order_id: uuid.UUID
    user_id: uuid.UUID
    provider: str
    charge_id: str
    payment_method: str
    amount_minor: int
    currency: str


class PaymentService:
    def record(self, session: AsyncSession, capture: Capture, now: datetime) -> Payment:
        payment = Payment(
            order_id=capture.order_id,
            user_id=capture.user_id,
            provider=capture.provider,
            charge_id=capture.charge_id,
            payment_method_ref=capture.payment_method,
            amount_minor=capture.amount_minor,
            currency=capture.currency,
            captured_at=now,
        )
        payment_repository.add(session, payment)
        return payment

    async def of_order(self, session: AsyncSession, order_id: uuid.UUID) -> Payment | None:
        return await payment_repository.of_order(session, order_id)

    async def of_charge(self, session: AsyncSession, charge_id: str) -> Payment | None:
        return await payment_repository.of_charge(session, charge_id)

    async def customer(
        self, session: AsyncSession, provider: PaymentProvider, user_id: uuid.UUID
    ) -> str:
        """The provider's customer for the user, made at the provider the first time. The
        caller holds the user's row, so two requests of one user do not both make one."""
        reference = await payment_repository.customer_of(session, user_id, provider.name)
        if reference is None:
            reference = await provider.create_customer(user_id)
            await payment_repository.keep_customer(session, user_id, provider.name, reference)
        return reference

    async def save_method(
        self, session: AsyncSession, capture: Capture, details: MethodDetails
    ) -> None:
        await payment_repository.save_method(
            session,
            PaymentMethod(
                user_id=capture.user_id,
                provider=capture.provider,
                reference=capture.payment_method,
                brand=details.brand,
                last4=details.last4,
            ),
        )

    async def methods(
        self, session: AsyncSession, actor: Actor, page: PageRequest
    ) -> tuple[list[PaymentMethod], int]:
        return await payment_repository.methods_of(session, actor.id, page)

    async def remove_method(
        self,
        session: AsyncSession,
        provider: PaymentProvider,
        actor: Actor,
        method_id: uuid.UUID,
        now: datetime,
    ) -> None:
        """A customer's own method only: another's is not found. Detached at the provider too
        (when it is the one taking payments now), so it can never be charged again."""
        removed = await payment_repository.remove_method(session, actor.id, method_id)
        if removed is None:
            raise PaymentMethodNotFound()
        method_provider, reference = removed
        if method_provider == provider.name:
            await provider.forget_method(reference)
        audit_service.record(
            session,
            AuditEvent(
                action="payment_method.removed",
                resource_type="payment_method",
                resource_id=method_id,
            ),
            now,
        )


payment_service = PaymentService()
