"""A pause freezes the sessions of the periods it moves. Billing adds a pause's days to the
period at once (and takes back the days an early resume gives back); the month grants of that
period (`purchases`: sources `order:<order>:<month>`, and an upgrade's top-ups
`upgrade:<charge>:<order>:<month>`) move with it, so the customer keeps the sessions of the
days they cannot train and the days added at the end are covered.

Decisions:
- Which grants: those whose source names one of the orders `SubscriptionChanged` lists
  (`paused_orders`: the period under way at the pause's start and any paid after it, taken
  when the change applied, so a renewal paid later, already dated after the pause, never moves).
  Grants an admin made by hand have no order source and never move.
- How: a pause of D days starting at P moves the end of a grant valid at P by D days, and both
  ends of a grant starting after P; a grant ended by P stays. An early resume gives back G days
  around the pause's new end R (the pause's start when it had not begun): the same rule with R
  and -G, which undoes exactly the part of the pause not used.
- Bookings already made keep the grant they spent; only the windows move.
- Exactly once: the worker runs a handler once per event (its processed-events row commits with
  the handler's effect, `worker/runner.py`), so a redelivered event moves nothing again. The
  shift itself is not idempotent; it relies on that guarantee."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.billing.events import SubscriptionChanged
from fitcoach.scheduling.entitlements.service import GrantShift, entitlement_service
from fitcoach.worker.registry import on_event


@on_event(SubscriptionChanged, name="scheduling.shift_paused_grants")
async def shift_paused_grants(session: AsyncSession, event: SubscriptionChanged) -> None:
    if event.pause_days <= 0 or not event.paused_orders:
        return
    if event.action == "pause":
        pivot, by = event.effective_at, timedelta(days=event.pause_days)
    elif event.action == "resume" and event.pause_ends_at is not None:
        pivot, by = event.pause_ends_at, -timedelta(days=event.pause_days)
    else:
        return
    sources = [f"order:{order}:%" for order in event.paused_orders] + [
        f"upgrade:%:{order}:%" for order in event.paused_orders
    ]
    await entitlement_service.shift(session, GrantShift(event.user_id, sources, pivot, by))
