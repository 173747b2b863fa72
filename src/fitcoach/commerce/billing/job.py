"""The recurring billing job: one pass over what is due, in an order that matters. Scheduled
downgrades and upgrades first (a change due by the period end renews at its product's price),
then the renewals, then the paid subscriptions ended for good. It sits above both renewals.py
and scheduled.py because applying an upgrade goes through the change service, which renewals
lie beneath."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.commerce.billing.renewals import (
    BATCH,
    apply_due_downgrades,
    end_lapsed,
    renew_one,
)
from fitcoach.commerce.billing.repository import billing_repository
from fitcoach.commerce.billing.scheduled import FAILED, UPGRADED, apply_due_upgrades
from fitcoach.commerce.billing.service import Billing
from fitcoach.commerce.invoices.pricing import TaxPolicy
from fitcoach.commerce.payments.providers import PaymentProvider
from fitcoach.worker.jobs import JobContext, recurring


@dataclass(frozen=True)
class RenewalRun:
    renewed: int = 0
    failed: int = 0
    expired: int = 0
    ended: int = 0
    downgraded: int = 0
    upgraded: int = 0
    upgrades_failed: int = 0


async def run_billing(
    sessionmaker: async_sessionmaker[AsyncSession],
    provider: PaymentProvider,
    tax: TaxPolicy,
    now: datetime,
) -> RenewalRun:
    """One pass: due downgrades, then due upgrades (each in a transaction of its own), then
    every due renewal in a transaction of its own, then the lapsed subscriptions."""
    async with sessionmaker() as session, session.begin():
        downgraded = await apply_due_downgrades(session, now)
    upgrades = await apply_due_upgrades(sessionmaker, Billing(provider, tax, now))
    async with sessionmaker() as session:
        due = await billing_repository.due_renewal_ids(session, now, BATCH)
    outcomes: list[str] = []
    for subscription_id in due:
        async with sessionmaker() as session, session.begin():
            outcome = await renew_one(session, provider, tax, subscription_id, now)
        if outcome is not None:
            outcomes.append(outcome)
    async with sessionmaker() as session, session.begin():
        ended = await end_lapsed(session, now)
    return RenewalRun(
        renewed=outcomes.count("renewed"),
        failed=outcomes.count("failed"),
        expired=outcomes.count("expired"),
        ended=ended,
        downgraded=downgraded,
        upgraded=upgrades.count(UPGRADED),
        upgrades_failed=upgrades.count(FAILED),
    )


@recurring("commerce.renew_subscriptions", cron="*/5 * * * *")
async def renew_subscriptions_job(ctx: JobContext) -> None:
    settings = ctx.state.settings
    await run_billing(
        ctx.state.sessionmaker,
        ctx.state.payment_provider,
        TaxPolicy(settings.tax_rate_basis_points, settings.tax_inclusive),
        ctx.now,
    )
