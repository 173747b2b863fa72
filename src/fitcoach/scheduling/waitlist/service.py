"""A full session's waitlist: joining (a customer for themselves, a coach for one of their
customers, an admin for anyone), one's place with its estimate, leaving, and claiming an
offered place, which books it like any booking (spending an entitlement)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.customers.service import customers_service
from fitcoach.models import ScheduledSession, WaitlistEntry
from fitcoach.models.enums import Role
from fitcoach.models.user import Actor
from fitcoach.scheduling.events import SUBJECT, SessionBooked
from fitcoach.scheduling.exceptions import (
    AlreadyBooked,
    AlreadyWaitlisted,
    CustomerNotFound,
    NoOfferYet,
    NotOnWaitlist,
    OfferExpired,
    PlacesLeft,
    SessionNotBookable,
    SessionNotFound,
)
from fitcoach.scheduling.sessions.offers import pass_on
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.repository import (
    CLAIMED,
    EXPIRED,
    IN_LINE,
    LEFT,
    OFFERED,
    WAITING,
    session_repository,
    waitlist_repository,
)
from fitcoach.scheduling.sessions.rules import BookingStatus, SessionStatus, SessionType
from fitcoach.scheduling.sessions.seats import seat
from fitcoach.scheduling.sessions.service import SessionView, session_service, view_for
from fitcoach.scheduling.waitlist.estimate import HISTORY, Estimate, estimate
from fitcoach.users.exceptions import UserNotFound
from fitcoach.users.service import user_service
from fitcoach.worker.events import record_event

# Sessions with a line: the ones customers book places in.
_LINED = frozenset({SessionType.group, SessionType.class_})


@dataclass(frozen=True)
class WaitlistPlace:
    entry: WaitlistEntry
    position: int
    estimate: Estimate


class WaitlistService:
    async def join(
        self,
        session: AsyncSession,
        actor: Actor,
        target: tuple[uuid.UUID, uuid.UUID],
        now: datetime,
    ) -> WaitlistPlace:
        """Put the customer in line for the session (`target`: session id, customer id)."""
        session_id, customer_id = target
        sess = await self._lined(session, actor, session_id, customer_id)
        if sess.status != SessionStatus.scheduled.value or sess.start_at <= now:
            raise SessionNotBookable()
        booking = await session_repository.booking_of(session, sess.id, customer_id)
        if booking is not None and booking.status == BookingStatus.booked.value:
            raise AlreadyBooked()
        # Locked: the line's numbers are handed out one at a time, and the free places read
        # are the ones a concurrent cancellation left.
        locked = await waitlist_repository.lock_session(session, sess.id)
        assert locked is not None  # read above, and a session is never deleted
        free = locked.capacity - locked.booked - locked.held
        if free > 0:
            raise PlacesLeft(sess.id, free)
        entry = await waitlist_repository.entry_of(session, sess.id, customer_id)
        if entry is not None and entry.status in IN_LINE:
            raise AlreadyWaitlisted()
        number = await waitlist_repository.last_number(session, sess.id) + 1
        if entry is None:
            entry = WaitlistEntry(id=uuid.uuid4(), session_id=sess.id, customer_id=customer_id)
            session.add(entry)
        entry.number, entry.status, entry.joined_at = number, WAITING, now
        entry.offered_at = entry.offer_expires_at = None
        await session.flush()
        self._audit(session, sess.id, ("joined", customer_id), now)
        return await self._place(session, locked, entry, now)

    async def place(
        self, session: AsyncSession, customer: Actor, session_id: uuid.UUID, now: datetime
    ) -> WaitlistPlace:
        entry = await self._own_entry(session, customer, session_id)
        sess = await session_repository.get(session, session_id)
        assert sess is not None  # the entry's session
        return await self._place(session, sess, entry, now)

    async def leave(
        self, session: AsyncSession, customer: Actor, session_id: uuid.UUID, now: datetime
    ) -> None:
        """Out of line; a place held for them goes to the next."""
        entry = await self._own_entry(session, customer, session_id)
        offered = entry.status == OFFERED
        entry.status = LEFT
        await session.flush()
        if offered:
            await pass_on(session, entry, now)
        self._audit(session, session_id, ("left", customer.id), now)

    async def claim(
        self,
        session: AsyncSession,
        customer: Actor,
        session_id: uuid.UUID,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> SessionView:
        """Book the place held for the customer while their offer runs."""
        entry = await waitlist_repository.entry_of(session, session_id, customer.id)
        if entry is not None and entry.status == EXPIRED:
            # The expiry job settled the offer before this claim read it: the same answer as a
            # claim that read it a moment earlier and lost the race at settle_offer.
            raise OfferExpired()
        entry = self._in_line(entry)
        if entry.status == WAITING:
            waiting, offered = await waitlist_repository.ahead_of(session, entry)
            raise NoOfferYet(waiting + offered + 1)
        if not await waitlist_repository.settle_offer(session, entry.id, CLAIMED, now):
            raise OfferExpired()
        await waitlist_repository.release_hold(session, session_id, booked=True)
        sess = await waitlist_repository.lock_session(session, session_id)
        assert sess is not None
        booking = await seat(session, sess, customer.id, customer.id)
        self._audit(session, sess.id, ("claimed", customer.id), now)
        record_event(session, SessionBooked.of(sess, customer.id, now))
        return view_for(sess, [booking], customer, policy, now)

    async def _place(
        self, session: AsyncSession, sess: ScheduledSession, entry: WaitlistEntry, now: datetime
    ) -> WaitlistPlace:
        waiting, offered = await waitlist_repository.ahead_of(session, entry)
        if entry.status == OFFERED:
            found = Estimate(None, "A place is held for you: claim it before offerExpiresAt")
        else:
            history = await waitlist_repository.cancellation_history(
                session, sess, now - HISTORY, now
            )
            found = estimate(sess, waiting + 1, history, now)
        return WaitlistPlace(entry, waiting + offered + 1, found)

    async def _own_entry(
        self, session: AsyncSession, customer: Actor, session_id: uuid.UUID
    ) -> WaitlistEntry:
        return self._in_line(await waitlist_repository.entry_of(session, session_id, customer.id))

    @staticmethod
    def _in_line(entry: WaitlistEntry | None) -> WaitlistEntry:
        if entry is None or entry.status not in IN_LINE:
            raise NotOnWaitlist()
        return entry

    async def _lined(
        self, session: AsyncSession, actor: Actor, session_id: uuid.UUID, customer_id: uuid.UUID
    ) -> ScheduledSession:
        """The session, if the actor may put the customer in its line: a customer themselves
        into what they may book, a coach one of their customers into their own session, an
        admin any customer anywhere. Anything else is not found."""
        if not (actor.has_role(Role.COACH) or actor.has_role(Role.ADMIN)):
            if customer_id != actor.id:
                raise CustomerNotFound()
            return await session_service.bookable(session, actor, session_id)
        sess = await session_repository.readable(session, session_id, actor)
        if sess is None:
            raise SessionNotFound()
        if SessionType(sess.type) not in _LINED:
            raise SessionNotBookable()
        await self._check_customer(session, actor, sess, customer_id)
        return sess

    async def _check_customer(
        self, session: AsyncSession, actor: Actor, sess: ScheduledSession, customer_id: uuid.UUID
    ) -> None:
        try:
            customer = await user_service.get(session, customer_id)
        except UserNotFound as exc:
            raise CustomerNotFound() from exc
        if not customer.has_role(Role.CUSTOMER):
            raise CustomerNotFound()
        if not actor.has_role(Role.ADMIN) and not await customers_service.is_assigned(
            session, sess.coach_id, customer_id
        ):
            raise CustomerNotFound()

    def _audit(
        self,
        session: AsyncSession,
        session_id: uuid.UUID,
        what: tuple[str, uuid.UUID],
        now: datetime,
    ) -> None:
        action, customer_id = what
        audit_service.record(
            session,
            AuditEvent(
                action=f"scheduling.waitlist.{action}",
                resource_type=SUBJECT,
                resource_id=session_id,
                details={"customerId": str(customer_id)},
            ),
            now,
        )


waitlist_service = WaitlistService()
