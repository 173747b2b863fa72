"""Promo codes: the admin's definitions (audited), applying one to an order being placed, and
redeeming it when the order is paid. A payment holds the code's row from before the capture to
the commit, so its limits are checked and counted by one payment at a time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.commerce.promos.exceptions import (
    PromoCodeCurrencyMismatch,
    PromoCodeCustomerLimitReached,
    PromoCodeExhausted,
    PromoCodeExpired,
    PromoCodeFirstOrderOnly,
    PromoCodeInactive,
    PromoCodeNotForProduct,
    PromoCodeNotFound,
    PromoCodeNotYetValid,
    PromoCodeRedeemed,
    PromoCodeTaken,
    PromoCodeUnknown,
    PromoValidityWindow,
)
from fitcoach.commerce.promos.repository import promo_repository
from fitcoach.http.pagination import PageRequest
from fitcoach.models import PromoCode, PromoRedemption


@dataclass(frozen=True)
class PromoRules:
    """What an admin may change on a code once it exists."""

    valid_from: datetime | None = None
    valid_to: datetime | None = None
    product_ids: Sequence[uuid.UUID] = ()
    first_order_only: bool = False
    max_redemptions: int | None = None
    max_per_customer: int | None = None
    active: bool = True


@dataclass(frozen=True)
class PromoDraft:
    code: str
    percent_off: int | None
    amount_off: int | None
    currency: str | None
    rules: PromoRules
    # A code for this customer alone (an automation's offer); None: anyone the rules allow.
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PromoChanges:
    """Only the rules named in `given` change."""

    given: frozenset[str]
    rules: PromoRules


@dataclass(frozen=True)
class PromoUse:
    """A code entered for an order of `product_id` (None: a place in a session, which only
    codes naming no products apply to) whose lines add up to `subtotal`."""

    code: str
    user_id: uuid.UUID
    product_id: uuid.UUID | None
    currency: str
    subtotal: int


@dataclass(frozen=True)
class AppliedPromo:
    promo_id: uuid.UUID
    code: str
    amount: int


def _discount(promo: PromoCode, subtotal: int) -> int:
    if promo.percent_off is not None:
        return (2 * subtotal * promo.percent_off + 100) // 200
    return min(promo.amount_off_minor or 0, subtotal)


def _check_window(rules: PromoRules) -> None:
    if rules.valid_from and rules.valid_to and rules.valid_from >= rules.valid_to:
        raise PromoValidityWindow()


def _apply_rules(promo: PromoCode, rules: PromoRules, names: frozenset[str]) -> None:
    for name in names:
        value = getattr(rules, name)
        setattr(promo, name, [str(one) for one in value] if name == "product_ids" else value)


def _offered_to(promo: PromoCode, user_id: uuid.UUID) -> bool:
    return promo.customer_id is None or promo.customer_id == user_id


class PromoService:
    async def create(self, session: AsyncSession, draft: PromoDraft, now: datetime) -> PromoCode:
        _check_window(draft.rules)
        if await promo_repository.by_code(session, draft.code) is not None:
            raise PromoCodeTaken()
        promo = PromoCode(
            code=draft.code,
            percent_off=draft.percent_off,
            amount_off_minor=draft.amount_off,
            currency=draft.currency,
            redemptions=0,
            customer_id=draft.customer_id,
        )
        _apply_rules(promo, draft.rules, frozenset(f.name for f in fields(PromoRules)))
        promo_repository.add(session, promo)
        await session.flush()
        self._audit(session, "promo_code.created", promo, now)
        return promo

    async def update(
        self, session: AsyncSession, promo_id: uuid.UUID, changes: PromoChanges, now: datetime
    ) -> PromoCode:
        promo = await self._locked(session, promo_id)
        _apply_rules(promo, changes.rules, changes.given)
        _check_window(PromoRules(valid_from=promo.valid_from, valid_to=promo.valid_to))
        await session.flush()
        self._audit(session, "promo_code.updated", promo, now)
        return promo

    async def delete(self, session: AsyncSession, promo_id: uuid.UUID, now: datetime) -> None:
        promo = await self._locked(session, promo_id)
        if promo.redemptions:
            raise PromoCodeRedeemed()
        self._audit(session, "promo_code.deleted", promo, now)
        await promo_repository.delete(session, promo)

    async def get(self, session: AsyncSession, promo_id: uuid.UUID) -> PromoCode:
        promo = await promo_repository.get(session, promo_id)
        if promo is None:
            raise PromoCodeNotFound()
        return promo

    async def page(self, session: AsyncSession, page: PageRequest) -> tuple[list[PromoCode], int]:
        return await promo_repository.page(session, page)

    async def apply(self, session: AsyncSession, use: PromoUse, now: datetime) -> AppliedPromo:
        """The discount `use.code` gives this order, or the rule it breaks."""
        promo = await promo_repository.by_code(session, use.code.upper())
        # Another customer's code answers as no code at all: it does not say whose it is.
        if promo is None or not _offered_to(promo, use.user_id):
            raise PromoCodeUnknown()
        if promo.valid_from is not None and now < promo.valid_from:
            raise PromoCodeNotYetValid()
        if promo.valid_to is not None and now >= promo.valid_to:
            raise PromoCodeExpired()
        if promo.product_ids and str(use.product_id) not in promo.product_ids:
            # A drop-in's None is in no list: a code for named products is not for sessions.
            raise PromoCodeNotForProduct()
        if promo.currency is not None and promo.currency != use.currency:
            raise PromoCodeCurrencyMismatch()
        await self._check_limits(session, promo, use.user_id)
        return AppliedPromo(promo.id, promo.code, _discount(promo, use.subtotal))

    async def hold(
        self, session: AsyncSession, promo_id: uuid.UUID, user_id: uuid.UUID
    ) -> PromoCode:
        """Lock the code for a payment and check, with fresh counts, that it may still be
        redeemed by `user_id`: call before capturing."""
        promo = await self._locked(session, promo_id)
        await self._check_limits(session, promo, user_id)
        return promo

    async def hold_taken(self, session: AsyncSession, promo_id: uuid.UUID) -> PromoCode:
        """Lock the code of an order the provider already charged (its webhook told us): the
        customer paid the discounted price, so the use counts even past a limit reached since."""
        return await self._locked(session, promo_id)

    def redeem(
        self,
        session: AsyncSession,
        promo: PromoCode,
        order: tuple[uuid.UUID, uuid.UUID],
        now: datetime,
    ) -> None:
        """Count the held code's use by `order` (its id and its customer's)."""
        order_id, user_id = order
        promo.redemptions += 1
        promo_repository.add(
            session,
            PromoRedemption(
                promo_code_id=promo.id, user_id=user_id, order_id=order_id, redeemed_at=now
            ),
        )

    async def _check_limits(
        self, session: AsyncSession, promo: PromoCode, user_id: uuid.UUID
    ) -> None:
        # Whom the code is offered to was checked when the order applied it, and never changes.
        if not promo.active:
            raise PromoCodeInactive()
        if promo.max_redemptions is not None and promo.redemptions >= promo.max_redemptions:
            raise PromoCodeExhausted()
        if promo.max_per_customer is not None and (
            await promo_repository.redemptions_by(session, promo.id, user_id)
            >= promo.max_per_customer
        ):
            raise PromoCodeCustomerLimitReached()
        if promo.first_order_only and await promo_repository.has_paid_order(session, user_id):
            raise PromoCodeFirstOrderOnly()

    async def _locked(self, session: AsyncSession, promo_id: uuid.UUID) -> PromoCode:
        promo = await promo_repository.get(session, promo_id, for_update=True)
        if promo is None:
            raise PromoCodeNotFound()
        return promo

    def _audit(self, session: AsyncSession, action: str, promo: PromoCode, now: datetime) -> None:
        audit_service.record(
            session,
            AuditEvent(
                action=action,
                resource_type="promo_code",
                resource_id=promo.id,
                details={"code": promo.code},
            ),
            now,
        )


promo_service = PromoService()
