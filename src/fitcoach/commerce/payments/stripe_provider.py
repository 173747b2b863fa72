"""Stripe, through its official library: payment intents (created with the order, confirmed
with the customer's payment method, off-session for renewals), a Stripe customer per user,
saved methods attached to it, refunds. Every call is the library's async one over httpx, so
none blocks the event loop; every call that moves money carries an idempotency key, so a retry
(the library's own, or ours) is never charged or refunded twice."""

from __future__ import annotations

import uuid
from typing import Any

import stripe

from fitcoach.commerce.payments.providers import (
    CaptureOutcome,
    CaptureRequest,
    CaptureResult,
    Intent,
    IntentRequest,
    MethodDetails,
    NextAction,
    RefundRequest,
)
from fitcoach.config import Settings


def _method_details(method: Any) -> MethodDetails | None:
    """Brand and last four digits of an expanded card method; nothing for another kind."""
    card = getattr(method, "card", None) if not isinstance(method, str) else None
    if card is None:
        return None
    return MethodDetails(brand=str(card.brand), last4=str(card.last4))


def _next_action(intent: stripe.PaymentIntent) -> NextAction:
    action = intent.next_action
    if action is None:
        return NextAction(type="use_stripe_sdk", redirect_url=None)
    redirect = getattr(action, "redirect_to_url", None)
    return NextAction(type=action.type, redirect_url=redirect.url if redirect else None)


class StripePaymentProvider:
    name = "stripe"

    def __init__(self, settings: Settings) -> None:
        assert settings.stripe_secret_key is not None, "checked by Settings"
        self._client = stripe.StripeClient(
            settings.stripe_secret_key.get_secret_value(),
            base_addresses={"api": settings.stripe_api_base},
            http_client=stripe.HTTPXClient(timeout=settings.stripe_timeout_seconds),
            max_network_retries=2,
        )

    async def create_intent(self, request: IntentRequest) -> Intent:
        params: dict[str, Any] = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "metadata": {"order_id": str(request.order_id)},
            "payment_method_types": ["card"],
        }
        if request.customer is not None:
            params["customer"] = request.customer
        intent = await self._client.v1.payment_intents.create_async(
            params,  # type: ignore[arg-type]
            {"idempotency_key": f"intent-{request.order_id}"},
        )
        assert intent.client_secret is not None
        return Intent(id=intent.id, client_secret=intent.client_secret)

    async def capture(self, request: CaptureRequest) -> CaptureResult:
        params: dict[str, Any] = {
            "payment_method": request.payment_method,
            "expand": ["payment_method"],
        }
        if request.off_session:
            params["off_session"] = True
        # One key per attempt: a retry of the same attempt is answered by Stripe from its
        # record; another method, or the confirm after the customer's authentication, is a new
        # attempt with its own key.
        stage = "after" if request.after_action else "first"
        key = f"confirm-{request.intent_id}-{request.payment_method}-{stage}"
        try:
            intent = await self._client.v1.payment_intents.confirm_async(
                request.intent_id,
                params,  # type: ignore[arg-type]
                {"idempotency_key": key},
            )
        except stripe.CardError as exc:
            error = exc.error
            code = (error.decline_code if error else None) or exc.code or "card_declined"
            return CaptureResult(
                outcome=CaptureOutcome.declined,
                decline_code=code,
                decline_reason=exc.user_message or "The card was declined.",
            )
        method = _method_details(intent.payment_method)
        if intent.status == "succeeded":
            charge = intent.latest_charge
            charge_id = charge if isinstance(charge, str) else charge.id if charge else None
            return CaptureResult(CaptureOutcome.succeeded, charge_id=charge_id, method=method)
        if intent.status == "requires_action":
            return CaptureResult(
                CaptureOutcome.requires_action, method=method, next_action=_next_action(intent)
            )
        return CaptureResult(
            CaptureOutcome.declined,
            method=method,
            decline_code=f"intent_{intent.status}",
            decline_reason=f"The payment is {intent.status.replace('_', ' ')}.",
        )

    async def refund(self, request: RefundRequest) -> str:
        refund = await self._client.v1.refunds.create_async(
            {"charge": request.charge_id, "amount": request.amount_minor},
            {"idempotency_key": f"refund-{request.key}"},
        )
        return refund.id

    async def create_customer(self, user_id: uuid.UUID) -> str:
        customer = await self._client.v1.customers.create_async(
            {"metadata": {"user_id": str(user_id)}},
            {"idempotency_key": f"customer-{user_id}"},
        )
        return customer.id

    async def save_method(self, customer: str, payment_method: str) -> None:
        await self._client.v1.payment_methods.attach_async(payment_method, {"customer": customer})

    async def forget_method(self, payment_method: str) -> None:
        await self._client.v1.payment_methods.detach_async(payment_method)
