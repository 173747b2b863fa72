"""Queries of attachments. Who may see one: its owner, the participants of the thread whose
message carries it, for a community post's file the community's members (while the post is
published), its coach and admins, and for one a support ticket carries, the ticket's requester
and support staff."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import (
    Attachment,
    Community,
    CommunityMember,
    CommunityPost,
    SupportTicket,
    ThreadParticipant,
)


class Holder(StrEnum):
    """What an attachment can belong to: the column naming it. A file belongs to one only."""

    thread = "thread_id"
    post = "post_id"
    ticket = "ticket_id"


def _on_a_readable_post(user_id: uuid.UUID, is_admin: bool) -> ColumnElement[bool]:
    on_post = exists().where(CommunityPost.id == Attachment.post_id)
    if is_admin:
        return on_post
    coach = exists().where(
        CommunityPost.id == Attachment.post_id,
        Community.id == CommunityPost.community_id,
        Community.coach_id == user_id,
    )
    member = exists().where(
        CommunityPost.id == Attachment.post_id,
        CommunityPost.state == "published",
        CommunityMember.community_id == CommunityPost.community_id,
        CommunityMember.user_id == user_id,
    )
    return or_(coach, member)


def _on_a_readable_ticket(user_id: uuid.UUID, support_staff: bool) -> ColumnElement[bool]:
    if support_staff:
        return Attachment.ticket_id.is_not(None)
    return exists().where(
        SupportTicket.id == Attachment.ticket_id, SupportTicket.requester_id == user_id
    )


class AttachmentsRepository:
    def add(self, session: AsyncSession, attachment: Attachment) -> None:
        session.add(attachment)

    async def visible(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        attachment_id: uuid.UUID,
        *,
        is_admin: bool = False,
        support_staff: bool = False,
    ) -> Attachment | None:
        found: Attachment | None = await session.scalar(
            select(Attachment).where(
                Attachment.id == attachment_id,
                or_(
                    Attachment.owner_id == user_id,
                    exists().where(
                        ThreadParticipant.thread_id == Attachment.thread_id,
                        ThreadParticipant.user_id == user_id,
                    ),
                    _on_a_readable_post(user_id, is_admin),
                    _on_a_readable_ticket(user_id, support_staff),
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
        holder: tuple[Holder, uuid.UUID],
        servable: Sequence[str],
    ) -> int:
        """Attach the owner's servable files that belong to nothing yet to the holder (a thread,
        a post or a ticket); how many were. One statement, so a file sent twice at once goes to
        one holder only."""
        column, holder_id = holder
        result = await session.execute(
            update(Attachment)
            .where(
                Attachment.id.in_(ids),
                Attachment.owner_id == owner_id,
                *(getattr(Attachment, each.value).is_(None) for each in Holder),
                Attachment.status.in_(servable),
            )
            .values({column.value: holder_id})
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


attachments_repository = AttachmentsRepository()
