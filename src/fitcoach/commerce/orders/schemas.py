from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from fitcoach.commerce.invoices.schemas import InvoiceOut
from fitcoach.commerce.orders.service import Checkout, OrderDraft, Payer
from fitcoach.commerce.payments.providers import NextAction
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import NOT_NULL
from fitcoach.models import Order

_REFERENCE = r"^[A-Za-z0-9_\-]+$"


class OrderIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "productId": "3f2b8c1e-6a4d-4e2f-9b1a-7c5d2e8f4a10",
                    "addons": ["9a1e2c44-1b7d-4f0e-8c55-0d6f3b2a7e91"],
                    "promoCode": "SPRING25",
                },
                {"sessionId": "5d0c7b3a-2e1f-4a6b-9c8d-7e6f5a4b3c2d"},
            ],
            # A product (with its add-ons) or one place in a session (none), never both.
            "oneOf": [
                {"required": ["productId"], "properties": {"productId": NOT_NULL}},
                {
                    "required": ["sessionId"],
                    "properties": {"sessionId": NOT_NULL, "addons": {"maxItems": 0}},
                },
            ],
        }
    )

    product_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = Field(
        default=None,
        description="Buy one place in this session (a drop-in): the session must have a "
        "dropIn price; no add-ons",
    )
    addons: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Ids of the product's add-ons"
    )
    promo_code: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,32}$",
        description="A promo code (any case); the discount is a line of the invoice",
    )

    @model_validator(mode="after")
    def _one_item(self) -> Self:
        if (self.product_id is None) == (self.session_id is None):
            raise ValueError("give exactly one of productId and sessionId")
        if self.session_id is not None and self.addons:
            raise ValueError("addons are given only with productId")
        return self

    def to_draft(self) -> OrderDraft:
        return OrderDraft(
            product_id=self.product_id,
            addon_ids=self.addons,
            promo_code=self.promo_code,
            session_id=self.session_id,
        )


class ConfirmIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"paymentMethodId": "pm_card_visa", "saveMethod": True}]}
    )

    payment_method_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=255,
            pattern=_REFERENCE,
            description="The provider's payment-method reference (the app collects the card "
            "with the provider's SDK); in the sandbox, a test method such as pm_card_visa",
        ),
    ]
    save_method: bool = False

    def to_payer(self) -> Payer:
        return Payer(payment_method=self.payment_method_id, save_method=self.save_method)


class OrderOut(ApiModel):
    id: uuid.UUID
    product_id: uuid.UUID | None = Field(description="Set on an order for a product")
    session_id: uuid.UUID | None = Field(description="Set on an order for a session's place")
    addons: list[uuid.UUID]
    status: Literal[
        "pending", "requires_action", "paid", "refunded", "disputed", "past_due", "failed"
    ] = Field(
        description="past_due: a renewal's charge failed and is retried; failed: given up; "
        "disputed: the customer disputed the charge with their bank"
    )
    currency: str
    total: int = Field(description="Minor units")
    provider: str
    subscription_id: uuid.UUID | None
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls.model_validate(
            {
                "id": order.id,
                "product_id": order.product_id,
                "session_id": order.session_id,
                "addons": order.addon_ids,
                "status": order.status,
                "currency": order.currency,
                "total": order.total_minor,
                "provider": order.provider,
                "subscription_id": order.subscription_id,
                "created_at": order.created_at,
                "paid_at": order.paid_at,
            }
        )


class PaymentIntentOut(ApiModel):
    provider: str
    id: str
    client_secret: str = Field(description="What the app's provider SDK needs to collect the card")


class NextActionOut(ApiModel):
    type: str = Field(description="e.g. use_stripe_sdk: let the SDK authenticate, then confirm")
    redirect_url: str | None

    @classmethod
    def of(cls, action: NextAction) -> NextActionOut:
        return cls(type=action.type, redirect_url=action.redirect_url)


class CheckoutOut(ApiModel):
    order: OrderOut
    invoice: InvoiceOut
    payment_intent: PaymentIntentOut
    next_action: NextActionOut | None = Field(
        description="Set when the payment needs the customer first (status requires_action)"
    )

    @classmethod
    def of(cls, checkout: Checkout) -> CheckoutOut:
        order = checkout.order
        action = checkout.next_action
        return cls(
            order=OrderOut.of(order),
            invoice=InvoiceOut.of(checkout.invoice),
            payment_intent=PaymentIntentOut(
                provider=order.provider, id=order.intent_id, client_secret=order.client_secret
            ),
            next_action=NextActionOut.of(action) if action is not None else None,
        )
