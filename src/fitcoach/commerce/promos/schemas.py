from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from fitcoach.commerce.promos.service import PromoChanges, PromoDraft, PromoRules
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import distinct
from fitcoach.models import PromoCode

PromoCodeText = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{3,32}$",
        description="3-32 letters, digits, _ or -; stored and matched in upper case",
        examples=["SPRING25"],
    ),
]
Limit = Annotated[int, Field(strict=True, ge=1, le=1_000_000)]
ProductIds = Annotated[
    list[uuid.UUID],
    Field(max_length=100, description="The products it applies to; empty: every product"),
]


class _PromoRulesIn(StrictApiModel):
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None
    product_ids: ProductIds = Field(default_factory=list)
    first_order_only: bool = False
    max_redemptions: Limit | None = Field(default=None, description="In total; null: no limit")
    max_per_customer: Limit | None = Field(default=None, description="Per customer")
    active: bool = True

    def to_rules(self) -> PromoRules:
        return PromoRules(
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            product_ids=distinct(self.product_ids),
            first_order_only=self.first_order_only,
            max_redemptions=self.max_redemptions,
            max_per_customer=self.max_per_customer,
            active=self.active,
        )


class PromoCodeIn(_PromoRulesIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"code": "SPRING25", "percentOff": 25, "maxRedemptions": 100},
                {"code": "TENOFF", "amountOff": 1000, "currency": "USD", "firstOrderOnly": True},
            ]
        }
    )

    code: PromoCodeText
    percent_off: Annotated[int, Field(strict=True, ge=1, le=100)] | None = None
    amount_off: Annotated[int, Field(strict=True, ge=1, le=100_000_000)] | None = Field(
        default=None, description="Integer minor units of currency"
    )
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> PromoCodeIn:
        percent, fixed = self.percent_off is not None, self.amount_off is not None
        if percent == fixed or fixed != (self.currency is not None):
            raise ValueError("give exactly one of percentOff and amountOff (with its currency)")
        return self

    def to_draft(self) -> PromoDraft:
        return PromoDraft(
            code=self.code.upper(),
            percent_off=self.percent_off,
            amount_off=self.amount_off,
            currency=self.currency,
            rules=self.to_rules(),
        )


class PromoCodeUpdateIn(_PromoRulesIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})
    never_null: ClassVar[frozenset[str]] = frozenset({"product_ids", "first_order_only", "active"})

    def to_changes(self) -> PromoChanges:
        return PromoChanges(given=frozenset(self.model_fields_set), rules=self.to_rules())


class PromoCodeOut(ApiModel):
    id: uuid.UUID
    code: str
    percent_off: int | None
    amount_off: int | None
    currency: str | None
    valid_from: datetime | None
    valid_to: datetime | None
    product_ids: list[uuid.UUID]
    first_order_only: bool
    max_redemptions: int | None
    max_per_customer: int | None
    active: bool
    redemptions: int = Field(description="Paid orders that used it")
    customer_id: uuid.UUID | None = Field(
        description="The one customer who may use it (a code an automation offered), or null"
    )
    created_at: datetime

    @classmethod
    def of(cls, promo: PromoCode) -> PromoCodeOut:
        return cls.model_validate(
            {
                "id": promo.id,
                "code": promo.code,
                "percent_off": promo.percent_off,
                "amount_off": promo.amount_off_minor,
                "currency": promo.currency,
                "valid_from": promo.valid_from,
                "valid_to": promo.valid_to,
                "product_ids": promo.product_ids,
                "first_order_only": promo.first_order_only,
                "max_redemptions": promo.max_redemptions,
                "max_per_customer": promo.max_per_customer,
                "customer_id": promo.customer_id,
                "active": promo.active,
                "redemptions": promo.redemptions,
                "created_at": promo.created_at,
            }
        )
