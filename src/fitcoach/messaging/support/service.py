"""Support tickets: opening one with its deadlines counted in working time and an agent
assigned round-robin, replies, the status rules (the clock stops while the customer is asked),
and the sweep that warns at 80 % of a deadline and reports its breach, each once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fitcoach.http.pagination import PageRequest
from fitcoach.messaging.attachments.service import Holder, attachments_service
from fitcoach.messaging.support.events import SupportSlaBreached, SupportSlaWarning
from fitcoach.messaging.support.exceptions import (
    TicketClosed,
    TicketNotFound,
    TicketStatusChangeRefused,
    UnknownTicketAttachment,
)
from fitcoach.messaging.support.hours import (
    Priority,
    SupportPolicy,
    add_working_seconds,
    warning_seconds,
    working_seconds_between,
)
from fitcoach.messaging.support.policy import policy_from_json, policy_to_json
from fitcoach.messaging.support.repository import Reader, TicketFilter, support_repository
from fitcoach.models import Actor, SupportReply, SupportTicket
from fitcoach.models.enums import SUPPORT_ROLES
from fitcoach.settings.service import SettingKey, setting_service
from fitcoach.worker.events import record_event

_NEVER = datetime.min.replace(tzinfo=UTC)


class TicketStatus(StrEnum):
    open = "open"
    pending_customer = "pending_customer"
    resolved = "resolved"
    closed = "closed"
    reopened = "reopened"


_S = TicketStatus
# Where support staff may move a ticket from each status; its requester only closes or reopens.
STAFF_MOVES: dict[TicketStatus, frozenset[TicketStatus]] = {
    _S.open: frozenset({_S.pending_customer, _S.resolved, _S.closed}),
    _S.reopened: frozenset({_S.pending_customer, _S.resolved, _S.closed}),
    _S.pending_customer: frozenset({_S.open, _S.resolved, _S.closed}),
    _S.resolved: frozenset({_S.reopened, _S.closed}),
    _S.closed: frozenset(),
}
REQUESTER_MOVES: dict[TicketStatus, frozenset[TicketStatus]] = {
    _S.open: frozenset({_S.closed}),
    _S.reopened: frozenset({_S.closed}),
    _S.pending_customer: frozenset({_S.closed}),
    _S.resolved: frozenset({_S.reopened, _S.closed}),
    _S.closed: frozenset(),
}


@dataclass(frozen=True)
class TicketDraft:
    subject: str
    description: str
    priority: Priority
    attachments: list[uuid.UUID]


@dataclass(frozen=True)
class ReplyDraft:
    body: str
    attachments: list[uuid.UUID]


@dataclass(frozen=True)
class TicketView:
    ticket: SupportTicket
    names: dict[uuid.UUID, str]
    replies: list[SupportReply] | None = None


@dataclass(frozen=True)
class TicketListing:
    tickets: list[TicketView]
    total: int


def is_support_staff(actor: Actor) -> bool:
    return any(actor.has_role(role) for role in SUPPORT_ROLES)


def _reader(actor: Actor) -> Reader:
    return Reader(user_id=actor.id, staff=is_support_staff(actor))


@dataclass(frozen=True)
class _Deadline:
    due: InstrumentedAttribute[datetime | None]
    warn: InstrumentedAttribute[datetime | None]
    left: InstrumentedAttribute[int | None]
    target: InstrumentedAttribute[int]
    warned: InstrumentedAttribute[bool]
    breached: InstrumentedAttribute[bool]
    name: str


_FIRST_RESPONSE = _Deadline(
    SupportTicket.first_response_due_at,
    SupportTicket.first_response_warn_at,
    SupportTicket.first_response_left_s,
    SupportTicket.first_response_target_s,
    SupportTicket.first_response_warned,
    SupportTicket.first_response_breached,
    "first_response",
)
_RESOLUTION = _Deadline(
    SupportTicket.resolution_due_at,
    SupportTicket.resolution_warn_at,
    SupportTicket.resolution_left_s,
    SupportTicket.resolution_target_s,
    SupportTicket.resolution_warned,
    SupportTicket.resolution_breached,
    "resolution",
)


class _Clock:
    """A ticket's deadlines moved in working time under one policy."""

    def __init__(self, policy: SupportPolicy, ticket: SupportTicket) -> None:
        self.policy = policy
        self.ticket = ticket

    def _get(self, attribute: InstrumentedAttribute[object]) -> object:
        return getattr(self.ticket, attribute.key)

    def _set(self, attribute: InstrumentedAttribute[object], value: object) -> None:
        setattr(self.ticket, attribute.key, value)

    def start(self, deadline: _Deadline, since: datetime, left: int) -> None:
        """Run `deadline` from `since` with `left` working seconds still to go."""
        target = int(self._get(deadline.target))  # type: ignore[call-overload]
        until_warning = max(0, left - (target - warning_seconds(target)))
        self._set(deadline.due, add_working_seconds(self.policy, since, left))
        self._set(deadline.warn, add_working_seconds(self.policy, since, until_warning))
        self._set(deadline.left, None)

    def pause(self, deadline: _Deadline, now: datetime) -> None:
        due = self._get(deadline.due)
        if due is None:
            return
        assert isinstance(due, datetime)
        self._set(deadline.left, working_seconds_between(self.policy, now, due))
        self._set(deadline.due, None)
        self._set(deadline.warn, None)

    def resume(self, deadline: _Deadline, now: datetime) -> None:
        left = self._get(deadline.left)
        if left is not None:
            self.start(deadline, now, int(left))  # type: ignore[call-overload]

    def running(self) -> list[_Deadline]:
        """The deadlines still to meet."""
        pending = [_RESOLUTION]
        if self.ticket.first_responded_at is None:
            pending.insert(0, _FIRST_RESPONSE)
        return pending


class SupportService:
    async def policy(self, session: AsyncSession) -> SupportPolicy:
        stored = await setting_service.value(session, SettingKey.SUPPORT_POLICY)
        return policy_from_json(stored) if stored else SupportPolicy()

    async def set_policy(
        self, session: AsyncSession, admin: Actor, policy: SupportPolicy, now: datetime
    ) -> None:
        """Counts every deadline set from now on; those already set stay."""
        await setting_service.set(
            session, SettingKey.SUPPORT_POLICY, policy_to_json(policy), admin.id, now
        )

    async def open_ticket(
        self, session: AsyncSession, requester: Actor, draft: TicketDraft, now: datetime
    ) -> TicketView:
        policy = await self.policy(session)
        targets = policy.targets[draft.priority]
        ticket = SupportTicket(
            id=uuid.uuid4(),
            requester_id=requester.id,
            subject=draft.subject,
            description=draft.description,
            priority=draft.priority.value,
            status=TicketStatus.open.value,
            attachments=[str(one) for one in draft.attachments],
            time_zone=policy.time_zone,
            first_response_target_s=targets.first_response_minutes * 60,
            resolution_target_s=targets.resolution_minutes * 60,
        )
        clock = _Clock(policy, ticket)
        for deadline in (_FIRST_RESPONSE, _RESOLUTION):
            clock.start(deadline, now, int(getattr(ticket, deadline.target.key)))
        ticket.agent_id = await self._next_agent(session, now)
        await support_repository.add(session, ticket)
        await self._attach(session, requester, draft.attachments, ticket.id)
        return await self._view(session, ticket)

    async def tickets(
        self, session: AsyncSession, actor: Actor, where: TicketFilter, page: PageRequest
    ) -> TicketListing:
        rows, total = await support_repository.page(session, _reader(actor), where, page)
        names = await support_repository.names(session, _people(rows))
        return TicketListing(tickets=[TicketView(one, names) for one in rows], total=total)

    async def ticket(self, session: AsyncSession, actor: Actor, ticket_id: uuid.UUID) -> TicketView:
        ticket = await self._readable(session, actor, ticket_id)
        return await self._view(session, ticket, with_replies=True)

    async def reply(
        self,
        session: AsyncSession,
        actor: Actor,
        ticket_id: uuid.UUID,
        draft: ReplyDraft,
        now: datetime,
    ) -> TicketView:
        """A reply by staff meets the first-response deadline; one by the requester brings a
        ticket waiting on them back to open (its clock runs again) and reopens a resolved one."""
        ticket = await self._readable(session, actor, ticket_id, lock=True)
        status = TicketStatus(ticket.status)
        if status is TicketStatus.closed:
            raise TicketClosed()
        reply = SupportReply(
            id=uuid.uuid4(),
            ticket_id=ticket.id,
            author_id=actor.id,
            body=draft.body,
            attachments=[str(one) for one in draft.attachments],
        )
        await support_repository.add(session, reply)
        await self._attach(session, actor, draft.attachments, ticket.id)
        if ticket.requester_id == actor.id:
            if status is TicketStatus.pending_customer:
                await self._move(session, ticket, TicketStatus.open, now)
            elif status is TicketStatus.resolved:
                await self._move(session, ticket, TicketStatus.reopened, now)
        elif ticket.first_responded_at is None:
            ticket.first_responded_at = now
        await session.flush()
        return await self._view(session, ticket, with_replies=True)

    async def change_status(
        self,
        session: AsyncSession,
        actor: Actor,
        ticket_id: uuid.UUID,
        status: TicketStatus,
        now: datetime,
    ) -> TicketView:
        ticket = await self._readable(session, actor, ticket_id, lock=True)
        moves = STAFF_MOVES if is_support_staff(actor) else REQUESTER_MOVES
        if status not in moves[TicketStatus(ticket.status)]:
            raise TicketStatusChangeRefused()
        await self._move(session, ticket, status, now)
        await session.flush()
        return await self._view(session, ticket, with_replies=True)

    async def set_availability(self, session: AsyncSession, agent: Actor, available: bool) -> None:
        await support_repository.set_availability(session, agent.id, available)

    async def sweep(self, session: AsyncSession, now: datetime) -> int:
        """Record a warning for each running deadline past 80 % of its budget and a breach for
        each past its end, each once; how many events were recorded."""
        recorded = 0
        for deadline in (_FIRST_RESPONSE, _RESOLUTION):
            for kind, at, flag in (
                (SupportSlaWarning, deadline.warn, deadline.warned),
                (SupportSlaBreached, deadline.due, deadline.breached),
            ):
                for ticket in await support_repository.flag_due(session, at, flag, now):
                    due_at = getattr(ticket, deadline.due.key)
                    record_event(
                        session,
                        kind(
                            occurred_at=now,
                            actor_id=None,
                            subject_type="support_ticket",
                            subject_id=str(ticket.id),
                            ticket_id=ticket.id,
                            deadline=deadline.name,
                            priority=ticket.priority,
                            agent_id=ticket.agent_id,
                            due_at=due_at,
                        ),
                    )
                    recorded += 1
        return recorded

    async def _move(
        self, session: AsyncSession, ticket: SupportTicket, status: TicketStatus, now: datetime
    ) -> None:
        clock = _Clock(await self.policy(session), ticket)
        previous = TicketStatus(ticket.status)
        if status is TicketStatus.pending_customer:
            for deadline in clock.running():
                clock.pause(deadline, now)
            ticket.paused_at = now
        elif previous is TicketStatus.pending_customer and status is TicketStatus.open:
            for deadline in clock.running():
                clock.resume(deadline, now)
            ticket.paused_at = None
        elif status is TicketStatus.reopened:
            # A reopened ticket gets a whole resolution budget again, and may be warned of
            # and breach it anew.
            if ticket.first_responded_at is None:
                clock.resume(_FIRST_RESPONSE, now)
            clock.start(_RESOLUTION, now, ticket.resolution_target_s)
            ticket.resolution_warned = False
            ticket.resolution_breached = False
            ticket.resolved_at = None
            ticket.paused_at = None
        if status is TicketStatus.resolved:
            ticket.resolved_at = now
        ticket.status = status.value

    async def _next_agent(self, session: AsyncSession, now: datetime) -> uuid.UUID | None:
        """The available agent with the fewest open tickets; of equals, the one given a ticket
        longest ago (round-robin). None when no agent is available."""
        agents = await support_repository.lock_available_agents(session)
        if not agents:
            return None
        counts = await support_repository.open_counts(session, [one.user_id for one in agents])
        chosen = min(
            agents,
            key=lambda one: (
                counts.get(one.user_id, 0),
                one.last_assigned_at or _NEVER,
                one.user_id,
            ),
        )
        chosen.last_assigned_at = now
        return chosen.user_id

    async def _attach(
        self, session: AsyncSession, owner: Actor, ids: list[uuid.UUID], ticket_id: uuid.UUID
    ) -> None:
        if ids and not await attachments_service.attach(
            session, owner, ids, (Holder.ticket, ticket_id)
        ):
            raise UnknownTicketAttachment()

    async def _readable(
        self, session: AsyncSession, actor: Actor, ticket_id: uuid.UUID, *, lock: bool = False
    ) -> SupportTicket:
        ticket = await support_repository.readable(session, _reader(actor), ticket_id, lock=lock)
        if ticket is None:
            raise TicketNotFound()
        return ticket

    async def _view(
        self, session: AsyncSession, ticket: SupportTicket, *, with_replies: bool = False
    ) -> TicketView:
        replies = await support_repository.replies(session, ticket.id) if with_replies else None
        people = _people([ticket]) | {one.author_id for one in replies or []}
        names = await support_repository.names(session, people)
        return TicketView(ticket, names, replies)


def _people(tickets: list[SupportTicket]) -> set[uuid.UUID]:
    return {one.requester_id for one in tickets} | {
        one.agent_id for one in tickets if one.agent_id is not None
    }


support_service = SupportService()
