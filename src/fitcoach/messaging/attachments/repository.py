"""Queries of attachments. Who may see one: its owner, the participants of the thread whose
message carries it, and for a community post's file the community's members (while the post is
published), its coach and admins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import (
    Attachment,
    Community,
    CommunityMember,
    CommunityPost,
    ThreadParticipant,
)


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


class AttachmentsRepository:
    def add(self, session: AsyncSession, attachment: Attachment) -> None:
        session.add(attachment)

    async def visible(
        self, session: AsyncSession, user_id: uuid.UUID, attachment_id: uuid.UUID, is_admin: bool
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
                Attachment.post_id.is_(None),
                Attachment.status.in_(servable),
            )
            .values(thread_id=thread_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def claim_for_post(
        self,
        session: AsyncSession,
        owner_id: uuid.UUID,
        ids: Sequence[uuid.UUID],
        post_id: uuid.UUID,
        servable: Sequence[str],
    ) -> int:
        """As `claim`, for a community post."""
        result = await session.execute(
            update(Attachment)
            .where(
                Attachment.id.in_(ids),
                Attachment.owner_id == owner_id,
                Attachment.thread_id.is_(None),
                Attachment.post_id.is_(None),
                Attachment.status.in_(servable),
            )
            .values(post_id=post_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


attachments_repository = AttachmentsRepository()
