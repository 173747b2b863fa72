from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, Self, cast

from pydantic import ConfigDict, Field, model_validator

from fitcoach.commerce.billing.planning import ChangeAction, ChangeRequest
from fitcoach.commerce.billing.policy import CancelRefund, SubscriptionPolicy
from fitcoach.commerce.billing.service import ChangeOutcome
from fitcoach.commerce.billing.sessions import SessionTopUp
from fitcoach.commerce.invoices.schemas import InvoiceOut
from fitcoach.commerce.orders.schemas import NextActionOut, PaymentIntentOut
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.subscriptions.schemas import EntitlementsOut, SubscriptionOut

_REFERENCE = r"^[A-Za-z0-9_\-]+$"


class SubscriptionChangeIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "action": "upgrade",
                    "targetProductId": "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10",
                },
                {
                    "action": "upgrade",
                    "targetProductId": "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10",
                    "effectiveDate": "2027-02-01",
                },
                {
                    "action": "downgrade",
                    "targetProductId": "9a1e2c44-1b7d-4f0e-8c55-0d6f3b2a7e91",
                    "effectiveDate": "2027-01-15",
                },
                {"action": "pause", "effectiveDate": "2027-01-10", "pauseDays": 14},
                {"action": "resume"},
                {"action": "cancel", "immediately": False},
                {"action": "withdraw"},
            ]
        }
    )

    action: Literal["upgrade", "downgrade", "pause", "resume", "cancel", "withdraw"] = Field(
        description="upgrade: now, prorated and charged, or scheduled from effectiveDate (charged "
        "with a saved method on that day); downgrade: at the period end or effectiveDate; "
        "pause: from effectiveDate for pauseDays; resume: end a pause early "
        "(or withdraw one not begun); cancel: at the period end, or now with immediately; "
        "withdraw: call off a scheduled downgrade, upgrade or cancel, or an upgrade awaiting "
        "authentication (the subscription renews as it is)"
    )
    effective_date: date | None = Field(
        default=None,
        description="A day in the customer's time zone: when a downgrade, pause or upgrade "
        "starts (from that day's midnight there; an upgrade today, or with none, is immediate)",
    )
    target_product_id: uuid.UUID | None = Field(
        default=None, description="The product to upgrade or downgrade to"
    )
    pause_days: int | None = Field(
        default=None, strict=True, ge=1, le=365, description="How long a pause lasts, in days"
    )
    payment_method_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=_REFERENCE,
        description="What pays an upgrade; the customer's newest saved method when left out. A "
        "scheduled upgrade is paid with a saved method: this one while it stays saved",
    )
    immediately: bool = Field(
        default=False, description="Cancel now (refunded by the business's policy)"
    )

    def to_request(self) -> ChangeRequest:
        return ChangeRequest(
            action=ChangeAction(self.action),
            effective_date=self.effective_date,
            target_product_id=self.target_product_id,
            pause_days=self.pause_days,
            payment_method=self.payment_method_id,
            immediately=self.immediately,
        )


class ProrationOut(ApiModel):
    remaining_days: int = Field(
        description="Days of the period from today (a scheduled upgrade: from effectiveDate), "
        "the customer's"
    )
    credit: int = Field(description="Minor units: the current product's unused days")
    charge: int = Field(description="Minor units: the new product's remaining days")


class SessionsAddedOut(ApiModel):
    month: int = Field(description="The month of the period paid it tops up, from 1")
    sessions: int = Field(
        description="Extra sessions: the month under way prorated by its days left, a later "
        "month the whole difference of sessions per month"
    )
    valid_from: datetime
    valid_until: datetime

    @classmethod
    def of(cls, added: SessionTopUp) -> Self:
        return cls(
            month=added.month,
            sessions=added.sessions,
            valid_from=added.valid_from,
            valid_until=added.valid_until,
        )


class SubscriptionChangeConfirmIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{}, {"paymentMethodId": "pm_card_authenticationRequired"}]}
    )

    payment_method_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=_REFERENCE,
        description="What pays the upgrade; the method it was tried with when left out",
    )


ChangeStatusOut = Literal["applied", "scheduled", "requires_action"]


class SubscriptionChangeOut(ApiModel):
    id: uuid.UUID | None = Field(description="The change's id; null in a preview")
    action: str
    preview: bool = Field(description="True: nothing was changed")
    status: ChangeStatusOut = Field(
        description="requires_action: an upgrade whose charge awaits the customer's bank "
        "authentication; nothing has changed yet. Complete nextAction with the provider's SDK, "
        "then confirm the change (or withdraw it). In a preview: what the change would be"
    )
    payment_intent: PaymentIntentOut | None = Field(
        description="While status is requires_action: the payment intent the SDK authenticates"
    )
    next_action: NextActionOut | None = Field(
        description="While status is requires_action: what the app must do before confirming"
    )
    effective_at: datetime
    applies_now: bool = Field(description="False: scheduled, a job applies it at effectiveAt")
    period_ends_at: datetime = Field(description="The period's end after the change")
    product_id: uuid.UUID | None
    entitlements: EntitlementsOut = Field(description="From the moment the change applies")
    currency: str | None
    proration: ProrationOut | None
    amount_due: int = Field(
        description="Minor units charged now, tax included; a scheduled upgrade's: charged on "
        "effectiveAt (the tax by the rules of that day)"
    )
    tax: int = Field(description="Minor units of tax in amountDue")
    refund: int = Field(description="Minor units refunded now (an immediate cancel)")
    pause_ends_at: datetime | None
    sessions_added: list[SessionsAddedOut] = Field(
        description="An upgrade's extra sessions for the months already paid, granted when it "
        "applies (an upgrade awaiting authentication: as if it applied now; a scheduled one: "
        "from effectiveAt); empty for other "
        "changes, for an upgrade adding no sessions per month, and in the answer to a confirm "
        "of an upgrade applied before",
        examples=[
            [
                {
                    "month": 1,
                    "sessions": 2,
                    "validFrom": "2027-01-18T09:30:00.000Z",
                    "validUntil": "2027-02-04T12:00:00.000Z",
                },
                {
                    "month": 2,
                    "sessions": 4,
                    "validFrom": "2027-02-04T12:00:00.000Z",
                    "validUntil": "2027-03-04T12:00:00.000Z",
                },
            ]
        ],
    )
    subscription: SubscriptionOut
    invoice: InvoiceOut | None = Field(description="The proration invoice of an upgrade")

    @classmethod
    def of(cls, outcome: ChangeOutcome, now: datetime, *, preview: bool) -> Self:
        plan, change = outcome.plan, outcome.change
        proration = plan.proration
        intent, action = _awaited(outcome)
        return cls(
            id=change.id if change is not None else None,
            action=plan.action.value,
            preview=preview,
            status=_status(outcome),
            payment_intent=intent,
            next_action=action,
            effective_at=plan.effective_at,
            applies_now=plan.applies_now,
            period_ends_at=plan.period_ends_at,
            product_id=plan.product_id,
            entitlements=EntitlementsOut.of(plan.entitlements),
            currency=plan.currency,
            proration=ProrationOut(
                remaining_days=proration.remaining_days,
                credit=proration.credit_minor,
                charge=proration.charge_minor,
            )
            if proration is not None
            else None,
            amount_due=plan.amount_due_minor,
            tax=plan.tax_minor,
            refund=plan.refund_minor,
            pause_ends_at=plan.pause_ends_at,
            sessions_added=[SessionsAddedOut.of(added) for added in plan.sessions_added],
            subscription=SubscriptionOut.of(outcome.subscription, now),
            invoice=InvoiceOut.of(outcome.invoice) if outcome.invoice is not None else None,
        )


def _status(outcome: ChangeOutcome) -> ChangeStatusOut:
    # A change answered is never withdrawn, failed or expired: those are refused with an error.
    if outcome.change is not None:
        return cast(ChangeStatusOut, outcome.change.status)
    return "applied" if outcome.plan.applies_now else "scheduled"


def _awaited(outcome: ChangeOutcome) -> tuple[PaymentIntentOut | None, NextActionOut | None]:
    """The intent and the next action of an upgrade awaiting authentication; else neither (an
    intent's client secret is handed over only while the app needs it)."""
    order, action = outcome.order, outcome.next_action
    if not outcome.awaits_authentication or order is None:
        return None, None
    intent = PaymentIntentOut(
        provider=order.provider, id=order.intent_id, client_secret=order.client_secret
    )
    return intent, NextActionOut.of(action) if action is not None else None


class SubscriptionPolicyIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "maxPausesPerYear": 2,
                    "minPauseDays": 7,
                    "maxPauseDays": 30,
                    "pauseNoticeHours": 24,
                    "cancelRefund": "prorated",
                }
            ]
        }
    )

    max_pauses_per_year: int = Field(strict=True, ge=0, le=12, description="0-12")
    min_pause_days: int = Field(strict=True, ge=1, le=365, description="1-365")
    max_pause_days: int = Field(strict=True, ge=1, le=365, description="1-365, >= minPauseDays")
    pause_notice_hours: int = Field(strict=True, ge=0, le=720, description="0-720")
    cancel_refund: CancelRefund = Field(
        description="prorated: an immediate cancel refunds the unused days; none: no refund"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_pause_days < self.min_pause_days:
            raise ValueError("maxPauseDays must be at least minPauseDays")
        return self

    def to_policy(self) -> SubscriptionPolicy:
        return SubscriptionPolicy(
            max_pauses_per_year=self.max_pauses_per_year,
            min_pause_days=self.min_pause_days,
            max_pause_days=self.max_pause_days,
            pause_notice_hours=self.pause_notice_hours,
            cancel_refund=self.cancel_refund,
        )
