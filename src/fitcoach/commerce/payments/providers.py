"""The one interface every payment provider offers, and the local sandbox (the default), which
works offline. The sandbox knows Stripe's test payment methods by their ids: `pm_card_visa`
succeeds, `pm_card_chargeDeclined...` are declined with the reason Stripe gives,
`pm_card_authenticationRequired` asks for the customer's authentication first, and
`pm_card_createDispute` succeeds and is disputed later (through the provider's webhook)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class CaptureOutcome(StrEnum):
    succeeded = "succeeded"
    declined = "declined"
    requires_action = "requires_action"


@dataclass(frozen=True)
class IntentRequest:
    order_id: uuid.UUID
    amount_minor: int
    currency: str
    # The provider's customer the intent is for: its saved methods can pay it.
    customer: str | None = None


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str


@dataclass(frozen=True)
class CaptureRequest:
    intent_id: str
    amount_minor: int
    currency: str
    payment_method: str
    # The customer already completed the action an earlier attempt asked for.
    after_action: bool
    # A renewal charges a saved method with the customer away: no authentication can be asked for.
    off_session: bool = False


@dataclass(frozen=True)
class MethodDetails:
    """What the provider lets us show of a payment method; never card data."""

    brand: str
    last4: str


@dataclass(frozen=True)
class NextAction:
    """What the app must do before confirming again (e.g. show the bank's 3-D Secure page)."""

    type: str
    redirect_url: str | None


@dataclass(frozen=True)
class CaptureResult:
    outcome: CaptureOutcome
    charge_id: str | None = None
    method: MethodDetails | None = None
    decline_code: str | None = None
    decline_reason: str | None = None
    next_action: NextAction | None = None


@dataclass(frozen=True)
class RefundRequest:
    charge_id: str
    amount_minor: int
    currency: str
    # The provider's idempotency key: a retried refund is not given twice.
    key: str


class PaymentProvider(Protocol):
    name: str

    async def create_intent(self, request: IntentRequest) -> Intent: ...

    async def capture(self, request: CaptureRequest) -> CaptureResult: ...

    async def refund(self, request: RefundRequest) -> str:
        """Give `amount_minor` of the charge back; the provider's refund id."""
        ...

    async def create_customer(self, user_id: uuid.UUID) -> str:
        """The provider's customer for one of our users (made once: the caller keeps it)."""
        ...

    async def save_method(self, customer: str, payment_method: str) -> None:
        """Keep the payment method on the customer, to pay with later."""
        ...

    async def forget_method(self, payment_method: str) -> None:
        """Detach the payment method from its customer: it can no longer be charged."""
        ...


@dataclass(frozen=True)
class _TestMethod:
    method: MethodDetails
    decline: tuple[str, str] | None = None
    authenticate: bool = False


_VISA = MethodDetails("visa", "4242")
_TEST_METHODS: dict[str, _TestMethod] = {
    "pm_card_visa": _TestMethod(_VISA),
    "pm_card_mastercard": _TestMethod(MethodDetails("mastercard", "4444")),
    "pm_card_createDispute": _TestMethod(MethodDetails("visa", "0259")),
    "pm_card_chargeDeclined": _TestMethod(
        MethodDetails("visa", "0002"), decline=("card_declined", "Your card was declined.")
    ),
    "pm_card_chargeDeclinedInsufficientFunds": _TestMethod(
        MethodDetails("visa", "9995"),
        decline=("insufficient_funds", "Your card has insufficient funds."),
    ),
    "pm_card_chargeDeclinedExpiredCard": _TestMethod(
        MethodDetails("visa", "0069"), decline=("expired_card", "Your card has expired.")
    ),
    "pm_card_authenticationRequired": _TestMethod(MethodDetails("visa", "3184"), authenticate=True),
}


class SandboxPaymentProvider:
    """Deterministic and stateless across processes: an intent's id derives from its order and
    a capture's charge id from its intent, so every worker answers alike. `captures` counts the
    capture calls this process made per intent (what a test asserts "captured once" on),
    `refunded` the amounts it gave back per charge and `refunds` each refund (id, amount).
    A capture with `pm_card_createDispute` leaves a `charge.dispute.created` event in
    `pending_events`, for whoever plays the provider to deliver to the webhook (signed by
    `webhooks.sign`)."""

    name = "sandbox"

    def __init__(self) -> None:
        self.captures: Counter[str] = Counter()
        self.refunded: Counter[str] = Counter()
        self.refunds: dict[str, list[tuple[str, int]]] = {}
        self.pending_events: list[dict[str, Any]] = []
        self.saved: dict[str, set[str]] = {}

    async def create_intent(self, request: IntentRequest) -> Intent:
        intent_id = f"pi_sandbox_{request.order_id.hex}"
        return Intent(id=intent_id, client_secret=f"{intent_id}_secret_{secrets.token_hex(12)}")

    async def capture(self, request: CaptureRequest) -> CaptureResult:
        self.captures[request.intent_id] += 1
        known = _TEST_METHODS.get(request.payment_method)
        if known is None:
            return CaptureResult(
                outcome=CaptureOutcome.declined,
                decline_code="resource_missing",
                decline_reason=f"No such payment method: '{request.payment_method}'.",
            )
        if known.decline is not None:
            code, reason = known.decline
            return CaptureResult(
                outcome=CaptureOutcome.declined,
                method=known.method,
                decline_code=code,
                decline_reason=reason,
            )
        if known.authenticate and request.off_session:
            # Nobody is there to authenticate: Stripe declines such a charge the same way.
            return CaptureResult(
                outcome=CaptureOutcome.declined,
                method=known.method,
                decline_code="authentication_required",
                decline_reason="This payment needs the customer's authentication.",
            )
        if known.authenticate and not request.after_action:
            return CaptureResult(
                outcome=CaptureOutcome.requires_action,
                method=known.method,
                next_action=NextAction(type="use_stripe_sdk", redirect_url=None),
            )
        charge_id = sandbox_charge_id(request.intent_id)
        if request.payment_method == "pm_card_createDispute":
            self.pending_events.append(
                sandbox_event(
                    "charge.dispute.created",
                    {
                        "object": "dispute",
                        "id": f"dp_sandbox_{charge_id[10:]}",
                        "charge": charge_id,
                        "payment_intent": request.intent_id,
                        "amount": request.amount_minor,
                        "currency": request.currency.lower(),
                        "reason": "fraudulent",
                    },
                )
            )
        return CaptureResult(
            outcome=CaptureOutcome.succeeded, charge_id=charge_id, method=known.method
        )

    async def refund(self, request: RefundRequest) -> str:
        refund_id = f"re_sandbox_{hashlib.sha256(request.key.encode()).hexdigest()[:24]}"
        self._give_back(request.charge_id, refund_id, request.amount_minor)
        return refund_id

    def dashboard_refund(self, charge_id: str, intent_id: str, amount_minor: int) -> dict[str, Any]:
        """A refund made outside our API (Stripe's dashboard): the `charge.refunded` event the
        provider then sends, listing every refund of the charge."""
        refund_id = f"re_sandbox_{uuid.uuid4().hex[:24]}"
        self._give_back(charge_id, refund_id, amount_minor)
        refunds = self.refunds[charge_id]
        return sandbox_event(
            "charge.refunded",
            {
                "object": "charge",
                "id": charge_id,
                "payment_intent": intent_id,
                "amount_refunded": sum(amount for _, amount in refunds),
                "refunds": {
                    "object": "list",
                    "data": [{"id": ref, "amount": amount} for ref, amount in refunds],
                },
            },
        )

    def _give_back(self, charge_id: str, refund_id: str, amount_minor: int) -> None:
        self.refunded[charge_id] += amount_minor
        self.refunds.setdefault(charge_id, []).append((refund_id, amount_minor))

    async def create_customer(self, user_id: uuid.UUID) -> str:
        return f"cus_sandbox_{user_id.hex}"

    async def save_method(self, customer: str, payment_method: str) -> None:
        self.saved.setdefault(customer, set()).add(payment_method)

    async def forget_method(self, payment_method: str) -> None:
        for methods in self.saved.values():
            methods.discard(payment_method)


def sandbox_charge_id(intent_id: str) -> str:
    return f"ch_sandbox_{hashlib.sha256(intent_id.encode()).hexdigest()[:24]}"


def sandbox_event(event_type: str, data_object: dict[str, Any]) -> dict[str, Any]:
    """An event shaped as Stripe sends it."""
    return {
        "id": f"evt_sandbox_{uuid.uuid4().hex}",
        "object": "event",
        "type": event_type,
        "data": {"object": data_object},
    }
