"""What a subscription change would do, computed without writing anything: the preview answers
it as it is, and applying a change carries out exactly this plan. Dates are the customer's:
an effectiveDate is the start of that day in their time zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from fitcoach.commerce.billing.exceptions import (
    CancelDateNotAllowed,
    CurrencyMismatch,
    EffectiveDateAfterPeriodEnd,
    EffectiveDateInPast,
    EffectiveDateRequired,
    NotADowngrade,
    NotAnUpgrade,
    PauseDaysRequired,
    PauseLengthOutOfRange,
    PauseLimitReached,
    PauseNoticeTooShort,
    PeriodEndsToday,
    SameProduct,
    TargetProductRequired,
)
from fitcoach.commerce.billing.policy import CancelRefund, SubscriptionPolicy
from fitcoach.commerce.billing.proration import (
    DailyPrice,
    Proration,
    local_date,
    prorate,
    remaining_days,
)
from fitcoach.commerce.billing.repository import Refundable
from fitcoach.commerce.billing.sessions import PaidSpan, SessionTopUp, upgrade_top_ups
from fitcoach.commerce.invoices.pricing import LineItem, LineKind, TaxPolicy, totals_of
from fitcoach.commerce.orders.exceptions import ProductNotForSale
from fitcoach.models import Product, Subscription, SubscriptionChange
from fitcoach.models.enums import ProductStatus
from fitcoach.subscriptions.service import Entitlements


class ChangeAction(StrEnum):
    upgrade = "upgrade"
    downgrade = "downgrade"
    pause = "pause"
    resume = "resume"
    cancel = "cancel"
    withdraw = "withdraw"


@dataclass(frozen=True)
class ChangeRequest:
    action: ChangeAction
    effective_date: date | None = None
    target_product_id: uuid.UUID | None = None
    pause_days: int | None = None
    payment_method: str | None = None
    immediately: bool = False


@dataclass(frozen=True)
class ChangePlan:
    """The change as it would apply: when, the period's end and the product and entitlements
    after it, and the money it moves now (an upgrade's charge, an immediate cancel's refund)."""

    action: ChangeAction
    effective_at: datetime
    applies_now: bool
    period_ends_at: datetime
    product_id: uuid.UUID | None
    entitlements: Entitlements
    currency: str | None = None
    proration: Proration | None = None
    lines: tuple[LineItem, ...] = ()
    amount_due_minor: int = 0
    tax_minor: int = 0
    refund_minor: int = 0
    pause_ends_at: datetime | None = None
    pause_days: int = 0
    pause_days_given_back: int = 0
    sessions_added: tuple[SessionTopUp, ...] = ()


@dataclass(frozen=True)
class Situation:
    """What a change is planned from: the subscription (and its product), the customer's zone,
    the business's policy and tax, what the subscription already has under way, and (for an
    upgrade) the periods paid that have not ended."""

    subscription: Subscription
    product: Product | None
    zone: ZoneInfo
    now: datetime
    policy: SubscriptionPolicy
    tax: TaxPolicy
    open_pause: SubscriptionChange | None = None
    awaiting_upgrade: SubscriptionChange | None = None
    pauses_that_year: int = 0
    # An immediate cancel's: what is left of the payments of the period under way.
    refundable: tuple[Refundable, ...] = ()
    paid_spans: tuple[PaidSpan, ...] = ()


def entitlements_of(product: Product) -> Entitlements:
    return Entitlements(
        sessions_per_month=product.sessions_per_month,
        custom_training_plan=product.custom_training_plan,
        custom_diet_plan=product.custom_diet_plan,
        chat_access=product.chat_access,
    )


def daily_price(product: Product) -> DailyPrice:
    return DailyPrice(product.price_minor, product.duration_weeks * 7)


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def year_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The customer's calendar year `moment` falls in, as [start, end) instants."""
    year = moment.astimezone(zone).year
    return start_of_day(date(year, 1, 1), zone), start_of_day(date(year + 1, 1, 1), zone)


def _current(situation: Situation) -> Entitlements:
    return Entitlements.of(situation.subscription)


def _target_checks(situation: Situation, target: Product | None) -> Product:
    if target is None:
        raise TargetProductRequired()
    if target.status != ProductStatus.published.value:
        raise ProductNotForSale()
    if situation.product is not None and target.id == situation.product.id:
        raise SameProduct()
    if situation.product is not None and target.currency != situation.product.currency:
        raise CurrencyMismatch()
    return target


def _costs_more_per_day(target: Product, current: Product) -> bool:
    one, other = daily_price(target), daily_price(current)
    return one.price_minor * other.days > other.price_minor * one.days


def upgrade_lines(current: Product, target: Product, proration: Proration) -> tuple[LineItem, ...]:
    """The invoice lines of an upgrade: the target's remaining days charged, the current
    product's credited."""
    days = proration.remaining_days
    return (
        LineItem(
            LineKind.proration, f"{target.title}: {days} remaining days", proration.charge_minor
        ),
        LineItem(
            LineKind.proration, f"{current.title}: {days} unused days", -proration.credit_minor
        ),
    )


def plan_upgrade(
    situation: Situation, request: ChangeRequest, target: Product | None
) -> ChangePlan:
    """Now, or scheduled from the start of a later day of the period (`effectiveDate`): either
    way prorated by the days left from the day it takes effect, the top-ups counted from then."""
    product = _target_checks(situation, target)
    current, sub, now = situation.product, situation.subscription, situation.now
    effective_at = (
        now
        if request.effective_date is None
        else max(_effective_at(situation, request.effective_date), now)
    )
    assert current is not None, "only a bought subscription is changed"
    if not _costs_more_per_day(product, current):
        raise NotAnUpgrade()
    days_left = remaining_days(effective_at, sub.ends_at, situation.zone)
    if days_left <= 0:
        # Scheduled for the day the period ends on: that day is the renewal's, none is left.
        if effective_at > now:
            raise EffectiveDateAfterPeriodEnd()
        raise PeriodEndsToday()
    proration = prorate(daily_price(current), daily_price(product), days_left)
    lines = upgrade_lines(current, product, proration)
    totals = totals_of(lines, situation.tax)
    return ChangePlan(
        action=ChangeAction.upgrade,
        effective_at=effective_at,
        applies_now=effective_at <= now,
        period_ends_at=sub.ends_at,
        product_id=product.id,
        entitlements=entitlements_of(product),
        currency=product.currency,
        proration=proration,
        lines=lines,
        amount_due_minor=totals.total,
        tax_minor=totals.tax,
        sessions_added=upgrade_top_ups(
            situation.paid_spans,
            product.sessions_per_month - sub.sessions_per_month,
            effective_at,
            situation.zone,
        ),
    )


def _effective_at(situation: Situation, day: date) -> datetime:
    if day < local_date(situation.now, situation.zone):
        raise EffectiveDateInPast()
    moment = start_of_day(day, situation.zone)
    if moment >= situation.subscription.ends_at:
        raise EffectiveDateAfterPeriodEnd()
    return moment


def plan_downgrade(
    situation: Situation, request: ChangeRequest, target: Product | None
) -> ChangePlan:
    product = _target_checks(situation, target)
    assert situation.product is not None, "only a bought subscription is changed"
    if _costs_more_per_day(product, situation.product):
        raise NotADowngrade()
    sub = situation.subscription
    effective_at = (
        sub.ends_at
        if request.effective_date is None
        else max(_effective_at(situation, request.effective_date), situation.now)
    )
    return ChangePlan(
        action=ChangeAction.downgrade,
        effective_at=effective_at,
        applies_now=effective_at <= situation.now,
        period_ends_at=sub.ends_at,
        product_id=product.id,
        entitlements=entitlements_of(product),
        currency=product.currency,
    )


def plan_pause(situation: Situation, request: ChangeRequest) -> ChangePlan:
    policy = situation.policy
    if request.pause_days is None:
        raise PauseDaysRequired()
    if not policy.min_pause_days <= request.pause_days <= policy.max_pause_days:
        raise PauseLengthOutOfRange(
            f"A pause lasts between {policy.min_pause_days} and {policy.max_pause_days} days"
        )
    if request.effective_date is None:
        raise EffectiveDateRequired()
    start = _effective_at(situation, request.effective_date)
    if start - situation.now < timedelta(hours=policy.pause_notice_hours):
        raise PauseNoticeTooShort(
            f"A pause must be requested at least {policy.pause_notice_hours} hours before the "
            "day it starts"
        )
    if situation.pauses_that_year >= policy.max_pauses_per_year:
        raise PauseLimitReached(
            f"At most {policy.max_pauses_per_year} pauses a year are allowed; "
            f"{situation.pauses_that_year} already fall in {start.astimezone(situation.zone).year}"
        )
    sub = situation.subscription
    return ChangePlan(
        action=ChangeAction.pause,
        effective_at=start,
        applies_now=False,
        period_ends_at=sub.ends_at + timedelta(days=request.pause_days),
        product_id=sub.product_id,
        entitlements=_current(situation),
        pause_ends_at=start_of_day(
            request.effective_date + timedelta(days=request.pause_days), situation.zone
        ),
        pause_days=request.pause_days,
    )


def plan_resume(situation: Situation, pause: SubscriptionChange) -> ChangePlan:
    """A pause not begun is withdrawn (all its days given back); one under way ends today,
    and its days from today on are given back."""
    assert pause.ends_at is not None
    now, zone, sub = situation.now, situation.zone, situation.subscription
    if pause.effective_at > now:
        given_back = (local_date(pause.ends_at, zone) - local_date(pause.effective_at, zone)).days
        pause_end = pause.effective_at
    else:
        given_back = (local_date(pause.ends_at, zone) - local_date(now, zone)).days
        pause_end = max(pause.effective_at, start_of_day(local_date(now, zone), zone))
    return ChangePlan(
        action=ChangeAction.resume,
        effective_at=now,
        applies_now=True,
        period_ends_at=sub.ends_at - timedelta(days=given_back),
        product_id=sub.product_id,
        entitlements=_current(situation),
        pause_ends_at=pause_end,
        pause_days_given_back=given_back,
    )


def plan_withdraw(situation: Situation) -> ChangePlan:
    """The scheduled downgrade or cancel (or the upgrade awaiting authentication) is called
    off: the subscription runs on as it is, renewing at the period end."""
    sub = situation.subscription
    return ChangePlan(
        action=ChangeAction.withdraw,
        effective_at=situation.now,
        applies_now=True,
        period_ends_at=sub.ends_at,
        product_id=sub.product_id,
        entitlements=_current(situation),
    )


def plan_cancel(situation: Situation, request: ChangeRequest) -> ChangePlan:
    sub, now = situation.subscription, situation.now
    if request.effective_date is not None:
        raise CancelDateNotAllowed()
    if not request.immediately:
        return ChangePlan(
            action=ChangeAction.cancel,
            effective_at=sub.ends_at,
            applies_now=False,
            period_ends_at=sub.ends_at,
            product_id=sub.product_id,
            entitlements=_current(situation),
        )
    refund = 0
    if situation.policy.cancel_refund is CancelRefund.prorated and situation.product is not None:
        days_left = (local_date(sub.ends_at, situation.zone) - local_date(now, situation.zone)).days
        price = daily_price(situation.product)
        unused = prorate(price, price, max(0, days_left)).credit_minor
        refund = min(unused, sum(payment.left_minor for payment in situation.refundable))
    return ChangePlan(
        action=ChangeAction.cancel,
        effective_at=now,
        applies_now=True,
        period_ends_at=now,
        product_id=sub.product_id,
        entitlements=Entitlements(),
        currency=situation.product.currency if situation.product is not None else None,
        refund_minor=refund,
    )
