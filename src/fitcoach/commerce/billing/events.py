"""The events of a paid subscription's life, recorded in the transaction of the change they
describe; `billing.handlers` tells the customer. Subject: the subscription."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from fitcoach.commerce.billing.sessions import SessionTopUp
from fitcoach.worker.events import DomainEvent

SUBJECT_TYPE = "subscription"


class SubscriptionChanged(DomainEvent):
    """The customer upgraded, downgraded, paused, resumed or canceled; `effective_at` is when
    it takes (or took) effect, `charged`/`credited` the money moved at once. An upgrade also
    names its charge's order, the product it moved to, the sessions per month before and after,
    and the sessions it adds to the months already paid (`billing.sessions`). A pause or a
    resume names the days it adds or gives back and the orders whose grants move with them."""

    type: ClassVar[str] = "commerce.subscription_changed"
    version: ClassVar[int] = 1

    subscription_id: uuid.UUID
    user_id: uuid.UUID
    action: str
    effective_at: datetime
    ends_at: datetime
    product_id: uuid.UUID | None
    charged_minor: int
    credited_minor: int
    currency: str | None
    # Added without a new version: events recorded before them read as an upgrade that adds
    # no sessions.
    order_id: uuid.UUID | None = None
    product_title: str | None = None
    previous_sessions_per_month: int | None = None
    sessions_per_month: int | None = None
    sessions_added: tuple[SessionTopUp, ...] = ()
    # A pause: its days; a resume: the days given back, the pause now ending at
    # `pause_ends_at`. Both name the orders of the periods paid the pause moves (scheduling
    # moves their grants). Events recorded before them move no grants.
    pause_days: int = 0
    pause_ends_at: datetime | None = None
    paused_orders: tuple[uuid.UUID, ...] = ()


class SubscriptionRenewed(DomainEvent):
    """A renewal was paid: the subscription now runs until `ends_at`, the period renewed being
    [period_start, ends_at) with the product's entitlements."""

    type: ClassVar[str] = "commerce.subscription_renewed"
    version: ClassVar[int] = 1

    subscription_id: uuid.UUID
    user_id: uuid.UUID
    order_id: uuid.UUID
    amount_minor: int
    currency: str
    period_start: datetime
    ends_at: datetime
    product_title: str
    sessions_per_month: int


class RenewalFailed(DomainEvent):
    """A renewal's charge failed: the subscription is past due, tried again at
    `next_attempt_at` (None: it has expired)."""

    type: ClassVar[str] = "commerce.renewal_failed"
    version: ClassVar[int] = 1

    subscription_id: uuid.UUID
    user_id: uuid.UUID
    attempt: int
    reason: str
    next_attempt_at: datetime | None


class SubscriptionEnded(DomainEvent):
    """A paid subscription ended (expired after dunning, or canceled); the customer is back on
    the free terms until `free_until`."""

    type: ClassVar[str] = "commerce.subscription_ended"
    version: ClassVar[int] = 1

    subscription_id: uuid.UUID
    user_id: uuid.UUID
    reason: str
    free_until: datetime
