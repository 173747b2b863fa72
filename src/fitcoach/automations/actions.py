"""The actions that act through other domains' services: a message from the customer's coaches
(messaging), a single-use promo code told in a notification (commerce, notifications), a
delivery to an outgoing webhook endpoint (integrations), and streak freezes (training). Each
runs once per automation and event (the run row), so none needs an idempotency key of its
own."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.automations.repository import automations_repository
from fitcoach.automations.rules import Action, render
from fitcoach.commerce.promos.service import PromoDraft, PromoRules, promo_service
from fitcoach.integrations.webhooks.payloads import event_body
from fitcoach.integrations.webhooks.service import QueuedDelivery, webhooks_service
from fitcoach.messaging.threads.service import MessageDraft, threads_service
from fitcoach.models import Automation
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.training.streaks.service import FreezeGrant, streaks_service
from fitcoach.users.service import user_service
from fitcoach.worker.events import DomainEvent

# Unambiguous to read out and type: no 0/O, 1/I.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10


async def send_coach_messages(
    session: AsyncSession,
    action: Action,
    customer_id: uuid.UUID,
    facts: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The message from each assigned coach, through messaging's own rules (who may write to
    whom), in their thread with the customer."""
    body = render(action.params["body"], facts)
    sent: list[str] = []
    for coach_id in await automations_repository.coaches_of(session, customer_id):
        coach = await user_service.get(session, coach_id)
        view = await threads_service.send(
            session, coach, MessageDraft(recipient_id=customer_id, body=body, attachments=[]), now
        )
        sent.append(str(view.message.id))
    return {"type": "message", "messageIds": sent}


async def offer_promo(
    session: AsyncSession,
    action: Action,
    cause: tuple[Automation, DomainEvent],
    customer_id: uuid.UUID,
    facts: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """A code only this customer can redeem, once, valid for `validDays`, and the notification
    that tells them."""
    automation, event = cause
    params = action.params
    valid_until = now + timedelta(days=params["validDays"])
    code = "AUTO-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    promo = await promo_service.create(
        session,
        PromoDraft(
            code=code,
            percent_off=params["percentOff"],
            amount_off=None,
            currency=None,
            rules=PromoRules(
                valid_from=now, valid_to=valid_until, max_redemptions=1, max_per_customer=1
            ),
            customer_id=customer_id,
        ),
        now,
    )
    known = {
        **facts,
        "promo.code": code,
        "promo.percentOff": params["percentOff"],
        "promo.validUntil": valid_until.date().isoformat(),
    }
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=customer_id,
            category=NotificationCategory.subscription,
            title=render(params["title"], known),
            body=render(params["body"], known),
            data={"automationId": str(automation.id), "promoCode": code},
            dedupe_key=f"automation:{automation.id}:{event.id}:promo",
        ),
        now,
    )
    return {"type": "promo", "promoCodeId": str(promo.id)}


async def call_webhook(
    session: AsyncSession, action: Action, cause: tuple[Automation, DomainEvent], now: datetime
) -> dict[str, Any]:
    """Queue the event for the endpoint, as a subscription would, marked with the automation;
    an endpoint deleted since the rule was saved is skipped."""
    automation, event = cause
    endpoint_id = uuid.UUID(action.params["endpointId"])
    if not await webhooks_service.exists(session, endpoint_id):
        return {"type": "webhook", "endpointId": str(endpoint_id), "queued": False}
    body = {**event_body(event), "automationId": str(automation.id)}
    queued = await webhooks_service.queue(
        session,
        QueuedDelivery(endpoint_id, event.id, event.type, body, f"automation:{automation.id}"),
        now,
    )
    return {"type": "webhook", "endpointId": str(endpoint_id), "queued": queued}


async def grant_freezes(
    session: AsyncSession,
    action: Action,
    automation: Automation,
    customer_id: uuid.UUID,
    now: datetime,
) -> dict[str, Any]:
    """Freezes for the customer's streak through training's rules, which keep the stock within
    the policy's `max_freezes`: `freezes` is the stock after the grant."""
    count = action.params["count"]
    streak = await streaks_service.grant_freeze(
        session, customer_id, FreezeGrant(count, automation.name, automation.id), now
    )
    return {"type": "freeze", "count": count, "freezes": streak.freezes}
