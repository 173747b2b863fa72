"""Changing a paid subscription: the customer's own, held from the first read to the commit so
two changes of one subscription apply one after the other (the second is judged against what
the first left). A preview plans the change and writes nothing; applying it carries out the
plan, audits it and records SubscriptionChanged in the same transaction. An upgrade whose
charge needs the customer's bank authentication changes nothing yet: it is kept awaiting it
(requires_action) with its order and invoice, for completion.py to apply once authenticated.
An upgrade for a later day is kept scheduled with its quoted amounts, charging nothing now:
scheduled.py charges and applies it on its day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.catalog.products.service import product_service
from fitcoach.commerce.billing.awaiting import drop_awaiting
from fitcoach.commerce.billing.charges import Bill, Billed, collect, off_session_method, open_bill
from fitcoach.commerce.billing.events import SUBJECT_TYPE, SubscriptionChanged
from fitcoach.commerce.billing.exceptions import (
    AlreadyCanceled,
    ChangePending,
    NothingToResume,
    NothingToWithdraw,
    PaymentMethodRequired,
    SavedMethodRequired,
    SubscriptionNotChangeable,
    SubscriptionNotFound,
)
from fitcoach.commerce.billing.planning import (
    ChangeAction,
    ChangePlan,
    ChangeRequest,
    Situation,
    plan_cancel,
    plan_downgrade,
    plan_pause,
    plan_resume,
    plan_upgrade,
    plan_withdraw,
    year_bounds,
)
from fitcoach.commerce.billing.policy import subscription_policy
from fitcoach.commerce.billing.renewals import fall_back_to_free
from fitcoach.commerce.billing.repository import BillingStatus, ChangeStatus, billing_repository
from fitcoach.commerce.billing.sessions import PaidSpan
from fitcoach.commerce.invoices.pricing import TaxPolicy
from fitcoach.commerce.orders.service import OrderStatus
from fitcoach.commerce.payments.exceptions import PaymentDeclined
from fitcoach.commerce.payments.providers import CaptureOutcome, NextAction, PaymentProvider
from fitcoach.commerce.refunds.service import RefundDraft, refund_service
from fitcoach.models import Actor, Invoice, Order, Product, Subscription, SubscriptionChange
from fitcoach.models.enums import SubscriptionType
from fitcoach.notifications.quiet_hours import zone_of
from fitcoach.users.service import user_service
from fitcoach.worker.events import record_event


@dataclass(frozen=True)
class Billing:
    """What a change may need from the app: the payment provider, the tax policy and now."""

    provider: PaymentProvider
    tax: TaxPolicy
    now: datetime


@dataclass(frozen=True)
class ChangeOutcome:
    """The change as planned and, unless previewed, as stored (`change`); an upgrade's order
    and invoice, and what the app must do first when its charge awaits authentication."""

    plan: ChangePlan
    subscription: Subscription
    change: SubscriptionChange | None = None
    bill: Billed | None = None
    next_action: NextAction | None = None
    # A pause or resume: the orders of the periods it moves (their grants move with them).
    paused_orders: tuple[uuid.UUID, ...] = ()

    @property
    def invoice(self) -> Invoice | None:
        return self.bill.invoice if self.bill is not None else None

    @property
    def order(self) -> Order | None:
        return self.bill.order if self.bill is not None else None

    @property
    def awaits_authentication(self) -> bool:
        return self.change is not None and self.change.status == ChangeStatus.requires_action


def set_entitlements(subscription: Subscription, product: Product) -> None:
    subscription.product_id = product.id
    subscription.sessions_per_month = product.sessions_per_month
    subscription.custom_training_plan = product.custom_training_plan
    subscription.custom_diet_plan = product.custom_diet_plan
    subscription.chat_access = product.chat_access


@dataclass(frozen=True)
class Upgraded:
    """What the event of an applied upgrade names beyond the plan: the charge's order, and the
    product and sessions per month it moved to from `sessions_before`."""

    order_id: uuid.UUID
    product_title: str
    sessions_before: int
    sessions_after: int


async def paid_spans(
    session: AsyncSession, subscription: Subscription, now: datetime
) -> tuple[PaidSpan, ...]:
    """The periods paid that have not ended at `now`: what an upgrade tops up."""
    orders = await billing_repository.periods_paid(session, subscription.id, now)
    return tuple(
        PaidSpan(order.id, order.period_start, order.period_end)
        for order in orders
        if order.period_start is not None and order.period_end is not None
    )


class SubscriptionChangeService:
    async def change(
        self,
        session: AsyncSession,
        actor: Actor,
        subscription_id: uuid.UUID,
        request: ChangeRequest,
        billing: Billing,
        *,
        preview: bool,
    ) -> ChangeOutcome:
        if preview:
            subscription = await billing_repository.subscription(session, subscription_id)
        else:
            # The same order as checkout (the customer, then the subscription): no deadlock.
            await user_service.hold(session, actor.id)
            subscription = await billing_repository.subscription_for_update(
                session, subscription_id
            )
        if subscription is None or subscription.user_id != actor.id:
            raise SubscriptionNotFound()
        situation = await self._situation(session, subscription, request, billing)
        target = await self._target(session, actor, request)
        plan = await self._plan(session, situation, request, target)
        if preview:
            audit_service.record_nothing_changed()
            return ChangeOutcome(plan=plan, subscription=subscription)
        sessions_before = subscription.sessions_per_month
        outcome = await self._apply(session, actor, situation, request, plan, target, billing)
        if outcome.awaits_authentication:
            self._record_awaiting(session, outcome, billing.now)
            return outcome
        order = outcome.order
        upgraded = (
            Upgraded(order.id, target.title, sessions_before, target.sessions_per_month)
            if plan.action is ChangeAction.upgrade and target is not None and order is not None
            else None
        )
        self.record_change(session, actor, outcome, upgraded, billing.now)
        return outcome

    async def _situation(
        self,
        session: AsyncSession,
        subscription: Subscription,
        request: ChangeRequest,
        billing: Billing,
    ) -> Situation:
        now = billing.now
        if (
            subscription.type != SubscriptionType.paid.value
            or subscription.product_id is None
            or subscription.status != BillingStatus.active
            or not subscription.starts_at <= now < subscription.ends_at
        ):
            raise SubscriptionNotChangeable()
        user = await user_service.get(session, subscription.user_id)
        situation = Situation(
            subscription=subscription,
            product=await product_service.stored(session, subscription.product_id),
            zone=zone_of(user.time_zone),
            now=now,
            policy=await subscription_policy(session),
            tax=billing.tax,
            open_pause=await billing_repository.open_pause(session, subscription.id, now),
            awaiting_upgrade=await billing_repository.awaiting_upgrade(session, subscription.id),
        )
        if request.action is ChangeAction.pause and request.effective_date is not None:
            start, end = year_bounds(
                datetime.combine(request.effective_date, datetime.min.time(), situation.zone),
                situation.zone,
            )
            taken = await billing_repository.pauses_starting_between(
                session, subscription.id, start, end
            )
            situation = replace(situation, pauses_that_year=taken)
        if request.action is ChangeAction.upgrade:
            spans = await paid_spans(session, subscription, now)
            situation = replace(situation, paid_spans=spans)
        if request.action is ChangeAction.cancel and request.immediately:
            payments = await billing_repository.refundable_payments(session, subscription.id, now)
            situation = replace(situation, refundable=tuple(payments))
        return situation

    async def _target(
        self, session: AsyncSession, actor: Actor, request: ChangeRequest
    ) -> Product | None:
        if request.target_product_id is None or request.action not in (
            ChangeAction.upgrade,
            ChangeAction.downgrade,
        ):
            return None
        return (await product_service.get(session, actor, request.target_product_id)).product

    async def _plan(
        self,
        session: AsyncSession,
        situation: Situation,
        request: ChangeRequest,
        target: Product | None,
    ) -> ChangePlan:
        action = request.action
        if action is ChangeAction.resume:
            if situation.open_pause is None:
                raise NothingToResume()
            return plan_resume(situation, situation.open_pause)
        scheduled = await billing_repository.scheduled_changes(session, situation.subscription.id)
        awaiting = situation.awaiting_upgrade
        if action is ChangeAction.withdraw:
            if not scheduled and awaiting is None:
                raise NothingToWithdraw()
            return plan_withdraw(situation)
        if action is ChangeAction.cancel and situation.subscription.cancel_at_period_end:
            raise AlreadyCanceled()
        # One change under way at a time: a scheduled downgrade or cancel, a pause not over, or
        # an upgrade awaiting authentication.
        if scheduled or situation.open_pause is not None or awaiting is not None:
            raise ChangePending()
        if action is ChangeAction.upgrade:
            return plan_upgrade(situation, request, target)
        if action is ChangeAction.downgrade:
            return plan_downgrade(situation, request, target)
        if action is ChangeAction.pause:
            return plan_pause(situation, request)
        return plan_cancel(situation, request)

    async def _apply(
        self,
        session: AsyncSession,
        actor: Actor,
        situation: Situation,
        request: ChangeRequest,
        plan: ChangePlan,
        target: Product | None,
        billing: Billing,
    ) -> ChangeOutcome:
        subscription, now = situation.subscription, billing.now
        change = SubscriptionChange(
            subscription_id=subscription.id,
            user_id=subscription.user_id,
            action=plan.action.value,
            status=ChangeStatus.applied if plan.applies_now else ChangeStatus.scheduled,
            effective_at=plan.effective_at,
            ends_at=plan.pause_ends_at,
            target_product_id=plan.product_id if target is not None else None,
            credit_minor=plan.proration.credit_minor if plan.proration else plan.refund_minor,
            charge_minor=plan.amount_due_minor,
        )
        outcome = ChangeOutcome(plan=plan, subscription=subscription, change=change)
        if plan.action is ChangeAction.upgrade:
            assert target is not None
            outcome = await self._upgrade(session, outcome, request, target, billing)
        elif plan.action is ChangeAction.downgrade and plan.applies_now:
            assert target is not None
            set_entitlements(subscription, target)
        elif plan.action is ChangeAction.pause:
            # The pause's days are added to the period at once: the renewal moves with it.
            change.status = ChangeStatus.applied
            self._move_end(subscription, plan.period_ends_at)
            moved = await billing_repository.periods_from(
                session, subscription.id, plan.effective_at
            )
            outcome = replace(outcome, paused_orders=tuple(moved))
        elif plan.action is ChangeAction.resume:
            pause = situation.open_pause
            assert pause is not None
            if pause.effective_at > now:
                pause.status = ChangeStatus.withdrawn
            pause.ends_at = plan.pause_ends_at
            change.effective_at = now
            self._move_end(subscription, plan.period_ends_at)
            moved = await billing_repository.periods_from(
                session, subscription.id, pause.effective_at
            )
            outcome = replace(outcome, paused_orders=tuple(moved))
        elif plan.action is ChangeAction.cancel and not plan.applies_now:
            subscription.cancel_at_period_end = True
        elif plan.action is ChangeAction.withdraw:
            for scheduled in await billing_repository.scheduled_changes(session, subscription.id):
                scheduled.status = ChangeStatus.withdrawn
            subscription.cancel_at_period_end = False
            if situation.awaiting_upgrade is not None:
                await drop_awaiting(session, situation.awaiting_upgrade, ChangeStatus.withdrawn)
        elif plan.action is ChangeAction.cancel:
            await self._cancel_now(session, actor, situation, plan, billing)
        billing_repository.add_change(session, change)
        await session.flush()
        return outcome

    def _move_end(self, subscription: Subscription, ends_at: datetime) -> None:
        subscription.days += round((ends_at - subscription.ends_at) / timedelta(days=1))
        subscription.ends_at = ends_at

    async def _upgrade(
        self,
        session: AsyncSession,
        outcome: ChangeOutcome,
        request: ChangeRequest,
        target: Product,
        billing: Billing,
    ) -> ChangeOutcome:
        """Charge the proration now: paid, the subscription takes the target's entitlements;
        awaiting the customer's authentication, nothing changes but the change kept with its
        order (requires_action), its amounts and the method tried. One for a later day is kept
        scheduled with its quoted amounts and the method it will be charged with."""
        plan, subscription, change = outcome.plan, outcome.subscription, outcome.change
        assert change is not None
        assert plan.proration is not None
        change.ends_at = plan.period_ends_at
        change.remaining_days = plan.proration.remaining_days
        if not plan.applies_now:
            await self._check_schedulable(session, subscription, request, billing)
            change.prorated_charge_minor = plan.proration.charge_minor
            change.payment_method = request.payment_method
            return outcome
        method = request.payment_method or await billing_repository.saved_method(
            session, subscription.user_id, billing.provider.name
        )
        if method is None:
            raise PaymentMethodRequired()
        assert plan.currency is not None
        billed = await open_bill(
            session,
            billing.provider,
            Bill(subscription, target.id, plan.currency, plan.lines, billing.tax),
            uuid.uuid4(),
            billing.now,
        )
        change.order_id = billed.order.id
        result = await collect(
            session, billing.provider, billed, method, billing.now, off_session=False
        )
        if result.outcome is CaptureOutcome.declined:
            raise PaymentDeclined(f"The payment was declined: {result.decline_reason}")
        if result.outcome is CaptureOutcome.requires_action:
            change.status = ChangeStatus.requires_action
            change.payment_method = method
            billed.order.status = OrderStatus.requires_action
            return replace(outcome, bill=billed, next_action=result.next_action)
        set_entitlements(subscription, target)
        return replace(outcome, bill=billed)

    async def _check_schedulable(
        self,
        session: AsyncSession,
        subscription: Subscription,
        request: ChangeRequest,
        billing: Billing,
    ) -> None:
        """A scheduled upgrade is charged with the customer away: only a saved method can pay
        it, the one named or else their newest."""
        chosen = request.payment_method
        method = await off_session_method(
            session, subscription.user_id, billing.provider.name, chosen
        )
        if method is None or (chosen is not None and method != chosen):
            raise SavedMethodRequired()

    async def _cancel_now(
        self,
        session: AsyncSession,
        actor: Actor,
        situation: Situation,
        plan: ChangePlan,
        billing: Billing,
    ) -> None:
        # The unused days come out of the newest payments first: an upgrade's charge, then the
        # period's own purchase or renewal (the plan capped the refund at their sum).
        subscription = situation.subscription
        owed = plan.refund_minor
        for payment in situation.refundable:
            if owed <= 0:
                break
            amount = min(owed, payment.left_minor)
            await refund_service.issue(
                session,
                billing.provider,
                actor,
                RefundDraft(payment.order_id, amount, "Subscription canceled: unused days"),
                billing.now,
            )
            owed -= amount
        subscription.ends_at = billing.now
        subscription.days = max(0, (billing.now - subscription.starts_at).days)
        subscription.status = BillingStatus.canceled
        await fall_back_to_free(session, subscription, "canceled", billing.now)

    def _record_awaiting(
        self, session: AsyncSession, outcome: ChangeOutcome, now: datetime
    ) -> None:
        """Audited, with no SubscriptionChanged: nothing has changed for the customer yet."""
        order = outcome.order
        assert order is not None
        audit_service.record(
            session,
            AuditEvent(
                action="subscription.upgrade_requires_action",
                resource_type=SUBJECT_TYPE,
                resource_id=outcome.subscription.id,
                details={
                    "productId": str(outcome.plan.product_id),
                    "orderId": str(order.id),
                    "amount": outcome.plan.amount_due_minor,
                },
            ),
            now,
        )

    def record_change(
        self,
        session: AsyncSession,
        actor: Actor,
        outcome: ChangeOutcome,
        upgraded: Upgraded | None,
        now: datetime,
    ) -> None:
        """The applied change audited and SubscriptionChanged recorded (the customer is told)."""
        plan, subscription = outcome.plan, outcome.subscription
        # A scheduled upgrade moves no money until its day; its quote is in the answer.
        charged = plan.amount_due_minor if plan.applies_now else 0
        audit_service.record(
            session,
            AuditEvent(
                action=f"subscription.{plan.action.value}",
                resource_type=SUBJECT_TYPE,
                resource_id=subscription.id,
                details={
                    "effectiveAt": plan.effective_at.isoformat(),
                    "productId": str(plan.product_id) if plan.product_id else None,
                    "charged": charged,
                    "refunded": plan.refund_minor,
                },
            ),
            now,
        )
        record_event(
            session,
            SubscriptionChanged(
                occurred_at=now,
                actor_id=actor.id,
                subject_type=SUBJECT_TYPE,
                subject_id=str(subscription.id),
                subscription_id=subscription.id,
                user_id=subscription.user_id,
                action=plan.action.value,
                effective_at=plan.effective_at,
                ends_at=plan.period_ends_at,
                product_id=plan.product_id,
                charged_minor=charged,
                credited_minor=(
                    plan.proration.credit_minor if plan.proration and plan.applies_now else 0
                ),
                currency=plan.currency,
                order_id=upgraded.order_id if upgraded else None,
                product_title=upgraded.product_title if upgraded else None,
                previous_sessions_per_month=upgraded.sessions_before if upgraded else None,
                sessions_per_month=upgraded.sessions_after if upgraded else None,
                # Granted by the event of the paid upgrade, never by its scheduling.
                sessions_added=plan.sessions_added if upgraded is not None else (),
                pause_days=plan.pause_days or plan.pause_days_given_back,
                pause_ends_at=plan.pause_ends_at if plan.action is ChangeAction.resume else None,
                paused_orders=outcome.paused_orders,
            ),
        )


subscription_change_service = SubscriptionChangeService()
