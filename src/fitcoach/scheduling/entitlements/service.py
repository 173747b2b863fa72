"""The entitlement ledger's rules. Commerce grants a month's sessions with `grant` (idempotent
by its `source`); a booking spends one with `use`, a cancellation in time gives it back with
`give_back`; an expiry job closes what grants leave unused; admins grant or take back by hand.
Every change is a line, so a balance is always the sum of the lines that explain it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.customers.service import customers_service
from fitcoach.http.pagination import PageRequest
from fitcoach.models import EntitlementEntry
from fitcoach.models.enums import Role
from fitcoach.models.user import Actor
from fitcoach.scheduling.entitlements.repository import GRANT, entitlement_repository
from fitcoach.scheduling.exceptions import (
    CustomerNotFound,
    InsufficientEntitlement,
    NoEntitlement,
)
from fitcoach.users.exceptions import UserNotFound
from fitcoach.users.service import user_service
from fitcoach.worker.jobs import JobContext, recurring

# Expired grants closed per run of the job; the next run takes the rest.
_EXPIRE_BATCH = 500


class EntryKind(StrEnum):
    grant = GRANT
    use = "use"
    give_back = "return"
    expire = "expire"
    adjust = "adjust"


@dataclass(frozen=True)
class Grant:
    """`sessions` usable on [valid_from, valid_until); `source` names what pays for them (e.g.
    "subscription:<id>:2026-12"): granting the same source twice is one grant."""

    customer_id: uuid.UUID
    sessions: int
    valid_from: datetime
    valid_until: datetime
    reason: str
    source: str | None = None


@dataclass(frozen=True)
class GrantShift:
    """Move the customer's grants whose source matches one of `sources` (LIKE patterns) by
    `by` around `pivot`: a grant valid at the pivot has its end moved, one starting after it
    both its start and its end; one ended by then is left alone."""

    customer_id: uuid.UUID
    sources: list[str]
    pivot: datetime
    by: timedelta


@dataclass(frozen=True)
class Entitlements:
    balance: int
    entries: list[EntitlementEntry]
    total: int


class EntitlementService:
    async def grant(
        self, session: AsyncSession, grant: Grant, actor_id: uuid.UUID | None, now: datetime
    ) -> EntitlementEntry:
        if grant.source is not None:
            known = await entitlement_repository.by_source(session, grant.customer_id, grant.source)
            if known is not None:
                return known
        entry = EntitlementEntry(
            id=uuid.uuid4(),
            customer_id=grant.customer_id,
            kind=EntryKind.grant.value,
            amount=grant.sessions,
            valid_from=grant.valid_from,
            valid_until=grant.valid_until,
            source=grant.source,
            reason=grant.reason,
            actor_id=actor_id,
            created_at=now,
        )
        entitlement_repository.add(session, entry)
        await session.flush()
        return entry

    async def shift(self, session: AsyncSession, shift: GrantShift) -> int:
        """Move the grants' windows (`GrantShift`); how many moved. The lines drawn on them,
        bookings included, stay as they are."""
        grants = await entitlement_repository.grants_of_sources(
            session, shift.customer_id, shift.sources, shift.pivot
        )
        for grant in grants:
            assert grant.valid_from is not None
            assert grant.valid_until is not None
            if grant.valid_from > shift.pivot:
                grant.valid_from += shift.by
            grant.valid_until += shift.by
        await session.flush()
        return len(grants)

    async def adjust(
        self, session: AsyncSession, admin_id: uuid.UUID, grant: Grant, now: datetime
    ) -> list[EntitlementEntry]:
        """An admin's correction: a positive number of sessions is a grant; a negative one takes
        sessions back from the grants that expire soonest."""
        await self._customer(session, grant.customer_id)
        if grant.sessions > 0:
            entries = [await self.grant(session, grant, admin_id, now)]
        else:
            entries = await self._take_back(session, admin_id, grant, now)
        audit_service.record(
            session,
            AuditEvent(
                action="scheduling.entitlements.adjusted",
                resource_type="user",
                resource_id=grant.customer_id,
                details={"sessions": grant.sessions, "reason": grant.reason},
            ),
            now,
        )
        return entries

    async def _take_back(
        self, session: AsyncSession, admin_id: uuid.UUID, grant: Grant, now: datetime
    ) -> list[EntitlementEntry]:
        wanted = -grant.sessions
        entries: list[EntitlementEntry] = []
        for live in await entitlement_repository.live_grants(session, grant.customer_id, now):
            if wanted == 0:
                break
            left = await entitlement_repository.lock_grant(session, live.grant.id)
            taken = min(left, wanted)
            if taken <= 0:
                continue
            entries.append(self._line(live.grant, EntryKind.adjust, -taken, grant.reason, admin_id))
            wanted -= taken
        if wanted:
            raise InsufficientEntitlement()
        for entry in entries:
            entitlement_repository.add(session, entry)
        await session.flush()
        return entries

    async def use(
        self,
        session: AsyncSession,
        customer_id: uuid.UUID,
        booking_id: uuid.UUID,
        at: datetime,
        actor_id: uuid.UUID,
    ) -> uuid.UUID:
        """Spend one session valid at `at` (the session's start) on `booking_id`; the grant it
        came from. The grant is locked first, so concurrent bookings never spend one session."""
        for live in await entitlement_repository.live_grants(session, customer_id, at):
            if await entitlement_repository.lock_grant(session, live.grant.id) <= 0:
                continue
            entry = self._line(live.grant, EntryKind.use, -1, "Session booked", actor_id)
            entry.booking_id = booking_id
            entitlement_repository.add(session, entry)
            return live.grant.id
        raise NoEntitlement()

    def give_back(
        self,
        session: AsyncSession,
        grant_id: uuid.UUID,
        customer_id: uuid.UUID,
        booking_id: uuid.UUID,
        reason: str,
    ) -> None:
        """Return the session a booking spent (a cancellation in time, or by the coach)."""
        entitlement_repository.add(
            session,
            EntitlementEntry(
                customer_id=customer_id,
                kind=EntryKind.give_back.value,
                amount=1,
                grant_id=grant_id,
                booking_id=booking_id,
                reason=reason,
            ),
        )

    async def expire_due(self, session: AsyncSession, now: datetime) -> int:
        """Close the remainder of grants that have expired; how many were closed."""
        due = await entitlement_repository.expired_with_remainder(session, now, _EXPIRE_BATCH)
        for one in due:
            entitlement_repository.add(
                session,
                self._line(one.grant, EntryKind.expire, -one.remaining, "Expired", None),
            )
        return len(due)

    async def of_customer(
        self,
        session: AsyncSession,
        actor: Actor,
        customer_id: uuid.UUID,
        page: PageRequest,
        now: datetime,
    ) -> Entitlements:
        """The customer's ledger, newest first, for them, their coach or an admin."""
        allowed = (
            actor.id == customer_id
            or actor.has_role(Role.ADMIN)
            or (
                actor.has_role(Role.COACH)
                and await customers_service.is_assigned(session, actor.id, customer_id)
            )
        )
        if not allowed:
            raise CustomerNotFound()
        entries, total = await entitlement_repository.ledger(session, customer_id, page)
        balance = await entitlement_repository.balance(session, customer_id, now)
        return Entitlements(balance=balance, entries=entries, total=total)

    def _line(
        self,
        grant: EntitlementEntry,
        kind: EntryKind,
        amount: int,
        reason: str,
        actor_id: uuid.UUID | None,
    ) -> EntitlementEntry:
        return EntitlementEntry(
            id=uuid.uuid4(),
            customer_id=grant.customer_id,
            kind=kind.value,
            amount=amount,
            grant_id=grant.id,
            reason=reason,
            actor_id=actor_id,
        )

    async def _customer(self, session: AsyncSession, customer_id: uuid.UUID) -> None:
        try:
            user = await user_service.get(session, customer_id)
        except UserNotFound as exc:
            raise CustomerNotFound() from exc
        if not user.has_role(Role.CUSTOMER):
            raise CustomerNotFound()


entitlement_service = EntitlementService()


@recurring("scheduling.expire_entitlements", cron="11 * * * *")
async def expire_entitlements_job(ctx: JobContext) -> None:
    await entitlement_service.expire_due(ctx.session, ctx.now)
