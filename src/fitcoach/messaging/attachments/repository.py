"""Queries of attachments. Who may see one: its owner, the participants of the thread whose
message carries it, and, for one a support ticket carries, the ticket's requester and support
staff."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Attachment, SupportTicket, ThreadParticipant


class AttachmentsRepository:
    def add(self, session: AsyncSession, attachment: Attachment) -> None:
        session.add(attachment)

    async def visible(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        attachment_id: uuid.UUID,
        *,
        support_staff: bool = False,
    ) -> Attachment | None:
        on_ticket = (
            Attachment.ticket_id.is_not(None)
            if support_staff
            else exists().where(
                SupportTicket.id == Attachment.ticket_id, SupportTicket.requester_id == user_id
            )
        )
        found: Attachment | None = await session.scalar(
            select(Attachment).where(
                Attachment.id == attachment_id,
                or_(
                    Attachment.owner_id == user_id,
                    exists().where(
                        ThreadParticipant.thread_id == Attachment.thread_id,
                        ThreadParticipant.user_id == user_id,
                    ),
                    on_ticket,
                ),
            )
        )
        return found

    async def get(self, session: AsyncSession, attachment_id: uuid.UUID) -> Attachment | None:
        return await session.get(Attachment, attachment_id)

    async def claim(
        self,
        session: AsyncSession,
        owner_id: uuid.UUID,
        ids: Sequence[uuid.UUID],
        thread_id: uuid.UUID,
        servable: Sequence[str],
    ) -> int:
        """Attach the owner's servable, not yet attached files to `thread_id`; how many were.
        One statement, so a file sent twice at once goes to one thread only."""
        result = await session.execute(
            update(Attachment)
            .where(
                Attachment.id.in_(ids),
                Attachment.owner_id == owner_id,
                Attachment.thread_id.is_(None),
                Attachment.ticket_id.is_(None),
                Attachment.status.in_(servable),
            )
            .values(thread_id=thread_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def claim_for_ticket(
        self,
        session: AsyncSession,
        owner_id: uuid.UUID,
        ids: Sequence[uuid.UUID],
        ticket_id: uuid.UUID,
        servable: Sequence[str],
    ) -> int:
        """As `claim`, for a support ticket (or its reply) instead of a thread."""
        result = await session.execute(
            update(Attachment)
            .where(
                Attachment.id.in_(ids),
                Attachment.owner_id == owner_id,
                Attachment.thread_id.is_(None),
                Attachment.ticket_id.is_(None),
                Attachment.status.in_(servable),
            )
            .values(ticket_id=ticket_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


attachments_repository = AttachmentsRepository()
