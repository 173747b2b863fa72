"""Offering freed places to a session's waitlist. Whenever a place frees (a customer's
cancellation, an offer that ran out or was given up), `promote` hands each free place that no
offer holds yet to the next customer in line, holding it on the session (`held`) for a claim
window: nobody else can book a held place, so two places freed at once make two offers and
never two bookings of one place. The window is an admin setting, shorter as the start nears."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import WaitlistEntry
from fitcoach.scheduling.events import SUBJECT, WaitlistOffered
from fitcoach.scheduling.sessions.repository import (
    EXPIRED,
    OFFERED,
    waitlist_repository,
)
from fitcoach.scheduling.sessions.rules import SessionStatus
from fitcoach.settings.service import SettingKey, setting_service
from fitcoach.worker.events import record_event
from fitcoach.worker.jobs import JobContext, recurring

# Expired offers passed on per run of the job; the next run takes the rest.
_EXPIRE_BATCH = 200


@dataclass(frozen=True)
class WaitlistPolicy:
    """An offer runs for a quarter of the time left before the start, at most `claim_minutes`
    and at least `minimum_claim_minutes` (never past the start)."""

    claim_minutes: int = 120
    minimum_claim_minutes: int = 10

    def claim_window(self, left: timedelta) -> timedelta:
        window = min(timedelta(minutes=self.claim_minutes), left / 4)
        return min(max(window, timedelta(minutes=self.minimum_claim_minutes)), left)

    def to_json(self) -> str:
        return json.dumps(
            {"claimMinutes": self.claim_minutes, "minimumClaimMinutes": self.minimum_claim_minutes}
        )


async def waitlist_policy(session: AsyncSession) -> WaitlistPolicy:
    stored = await setting_service.value(session, SettingKey.WAITLIST_POLICY)
    if stored is None:
        return WaitlistPolicy()
    values = json.loads(stored)
    return WaitlistPolicy(values["claimMinutes"], values["minimumClaimMinutes"])


async def promote(
    session: AsyncSession, session_id: uuid.UUID, now: datetime
) -> list[WaitlistEntry]:
    """Offer every free, unheld place of the session to the next in line; the new offers."""
    sess = await waitlist_repository.lock_session(session, session_id)
    if sess is None or sess.status != SessionStatus.scheduled.value or sess.start_at <= now:
        return []
    free = sess.capacity - sess.booked - sess.held
    if free <= 0:
        return []
    offered = await waitlist_repository.next_waiting(session, sess.id, free)
    if not offered:
        return []
    window = (await waitlist_policy(session)).claim_window(sess.start_at - now)
    for entry in offered:
        entry.status = OFFERED
        entry.offered_at = now
        entry.offer_expires_at = now + window
        record_event(
            session,
            WaitlistOffered(
                occurred_at=now,
                actor_id=None,
                subject_type=SUBJECT,
                subject_id=str(sess.id),
                customer_id=entry.customer_id,
                start_at=sess.start_at,
                timezone=sess.timezone,
                expires_at=now + window,
            ),
        )
    sess.held += len(offered)
    await session.flush()
    return offered


async def pass_on(session: AsyncSession, entry: WaitlistEntry, now: datetime) -> None:
    """The entry's held place goes back to the session and on to the next in line."""
    await waitlist_repository.release_hold(session, entry.session_id, booked=False)
    await promote(session, entry.session_id, now)


async def expire_offers(session: AsyncSession, now: datetime) -> int:
    """Close the offers that ran out and pass their places on; how many expired. An offer
    claimed meanwhile is left alone (its claim won)."""
    expired = 0
    for entry in await waitlist_repository.expired_offers(session, now, _EXPIRE_BATCH):
        if await waitlist_repository.settle_offer(session, entry.id, EXPIRED, now):
            await pass_on(session, entry, now)
            expired += 1
    return expired


@recurring("scheduling.expire_waitlist_offers", cron="* * * * *")
async def expire_offers_job(ctx: JobContext) -> None:
    await expire_offers(ctx.session, ctx.now)


async def set_waitlist_policy(
    session: AsyncSession, admin_id: uuid.UUID, policy: WaitlistPolicy, now: datetime
) -> None:
    """Applies to offers made from now on."""
    await setting_service.set(session, SettingKey.WAITLIST_POLICY, policy.to_json(), admin_id, now)
