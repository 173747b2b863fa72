"""What commerce needs of the domain that sells single places in sessions (a drop-in), without
importing it: scheduling depends on commerce (it refunds through it), so commerce states the
interface here and scheduling supplies the implementation with `sell_drop_ins_with`, once,
when the app's wiring imports it (as event handlers register themselves)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Actor


@dataclass(frozen=True)
class DropInOffer:
    """One place in a session, for sale: the invoice line's text, the price and its currency."""

    session_id: uuid.UUID
    description: str
    price_minor: int
    currency: str


@dataclass(frozen=True)
class DropInPlace:
    """The place a drop-in order pays for."""

    order_id: uuid.UUID
    customer_id: uuid.UUID
    session_id: uuid.UUID


class DropInSeller(Protocol):
    async def offer(
        self, session: AsyncSession, customer: Actor, session_id: uuid.UUID, now: datetime
    ) -> DropInOffer:
        """The session's place for sale to `customer`, or the domain error saying why not."""
        ...

    async def admit(self, session: AsyncSession, place: DropInPlace, now: datetime) -> None:
        """Hold the session until commit and check that the place can still be taken (a free
        place, a scheduled session in the future, no clash for the customer); raise the
        domain error (409) if not. Called before any money is taken."""
        ...

    async def seat(self, session: AsyncSession, place: DropInPlace, now: datetime) -> None:
        """Book the customer into the admitted place, paid by the order (no entitlement)."""
        ...


_sellers: list[DropInSeller] = []


def sell_drop_ins_with(seller: DropInSeller) -> None:
    _sellers[:] = [seller]


def drop_in_seller() -> DropInSeller:
    if not _sellers:
        raise RuntimeError("no drop-in seller is wired: import fitcoach.scheduling.drop_ins")
    return _sellers[0]
