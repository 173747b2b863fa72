"""A payment provider's webhook: its signature checked (Stripe's scheme, with each provider's
own secret), its event noted by id so a replay is answered without effect, and the outcomes
commerce reconciles recorded as PaymentNoticeReceived in the same transaction, for the
handler (reconcile.py) to apply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.events import PaymentNoticeReceived
from fitcoach.commerce.payments import signatures
from fitcoach.commerce.payments.exceptions import PaymentProviderNotConfigured
from fitcoach.commerce.webhooks.exceptions import MalformedPaymentWebhook
from fitcoach.commerce.webhooks.repository import webhook_event_repository
from fitcoach.config import Settings
from fitcoach.worker.events import record_event


class WebhookProvider(StrEnum):
    stripe = "stripe"
    sandbox = "sandbox"


# The event types commerce acts on; any other is acknowledged and kept by id only.
RECONCILED = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        # Gives up a subscription upgrade awaiting authentication; an order's is left payable.
        "payment_intent.canceled",
        "charge.refunded",
        "charge.dispute.created",
    }
)


@dataclass(frozen=True)
class SignedDelivery:
    provider: WebhookProvider
    signature: str | None
    body: bytes


@dataclass(frozen=True)
class Receipt:
    event_id: str
    type: str
    duplicate: bool
    reconciled: bool


def _secret(provider: WebhookProvider, settings: Settings) -> str:
    """Only the provider taking payments here has webhooks: another's is not found."""
    if provider.value != settings.payment_provider:
        raise PaymentProviderNotConfigured()
    if provider is WebhookProvider.sandbox:
        return settings.sandbox_webhook_secret.get_secret_value()
    assert settings.stripe_webhook_secret is not None, "checked by Settings"
    return settings.stripe_webhook_secret.get_secret_value()


def _text(value: Any) -> str | None:
    """An id given as a string, or inside the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _refunds(charge: dict[str, Any]) -> list[tuple[str, int]]:
    listed = charge.get("refunds")
    data = listed.get("data") if isinstance(listed, dict) else None
    if not isinstance(data, list):
        return []
    return [
        (item["id"], item["amount"])
        for item in data
        if isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and isinstance(item.get("amount"), int)
    ]


def _notice(provider: str, event: dict[str, Any], now: datetime) -> PaymentNoticeReceived:
    kind: str = event["type"]
    obj: dict[str, Any] = event["data"]["object"]
    if kind.startswith("payment_intent."):
        intent_id, charge_id = _text(obj.get("id")), _text(obj.get("latest_charge"))
        error = obj.get("last_payment_error")
        reason = error.get("message") if isinstance(error, dict) else None
    else:
        intent_id = _text(obj.get("payment_intent"))
        charge_id = _text(obj.get("charge")) if kind == "charge.dispute.created" else obj.get("id")
        reason = obj.get("reason")
    return PaymentNoticeReceived(
        occurred_at=now,
        actor_id=None,
        subject_type="payment_webhook",
        subject_id=event["id"],
        provider=provider,
        kind=kind,
        intent_id=intent_id,
        charge_id=_text(charge_id),
        payment_method=_text(obj.get("payment_method")),
        refunds=_refunds(obj) if kind == "charge.refunded" else [],
        reason=reason if isinstance(reason, str) else None,
    )


def _event(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise MalformedPaymentWebhook() from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise MalformedPaymentWebhook()
    return event


class PaymentWebhookService:
    async def receive(
        self, session: AsyncSession, delivery: SignedDelivery, settings: Settings, now: datetime
    ) -> Receipt:
        secret = _secret(delivery.provider, settings)
        signatures.verify(
            secret,
            delivery.signature,
            delivery.body,
            now,
            settings.payment_webhook_tolerance_seconds,
        )
        event = _event(delivery.body)
        event_id, kind = event["id"][:255], event["type"][:64]
        first = await webhook_event_repository.first_receipt(
            session, delivery.provider.value, (event_id, kind), now
        )
        reconciled = kind in RECONCILED
        if first and reconciled:
            record_event(session, _notice(delivery.provider.value, event, now))
        return Receipt(event_id, kind, duplicate=not first, reconciled=reconciled)


payment_webhook_service = PaymentWebhookService()
