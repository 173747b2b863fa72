"""Every query of communities and their posts. A community is reached through `readable_by`
(its members, its coach, admins); a post through its community, and a held or hidden post only
by its author and the moderators."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest
from fitcoach.models import (
    Community,
    CommunityComment,
    CommunityMember,
    CommunityPost,
    CommunityReaction,
    CommunityReport,
    Product,
    Subscription,
    User,
)

PUBLISHED = "published"
Columns = TypeVarTuple("Columns")
PAID = "paid"


@dataclass(frozen=True)
class Reader:
    """Who reads, and whether they moderate the community in question."""

    user_id: uuid.UUID
    is_admin: bool


@dataclass(frozen=True)
class PostQuery:
    community_id: uuid.UUID
    reader_id: uuid.UUID
    moderator: bool
    order: tuple[ColumnElement[Any], ...]
    where: tuple[ColumnElement[bool], ...]


@dataclass(frozen=True)
class Counts:
    reaction_count: int
    comment_count: int
    created_at: datetime


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _member(user_id: uuid.UUID) -> ColumnElement[bool]:
    return exists().where(
        CommunityMember.community_id == Community.id, CommunityMember.user_id == user_id
    )


async def _rows_page(
    session: AsyncSession,
    statement: Select[*Columns],
    page: PageRequest,
    count_limit: int | None = None,
) -> tuple[list[Row[*Columns]], int]:
    """As http.pagination.fetch_page, keeping every column of each row (fetch_page keeps the
    first)."""
    counted = statement.order_by(None)
    if count_limit is not None:
        counted = counted.limit(count_limit + 1)
    total = await session.scalar(select(func.count()).select_from(counted.subquery()))
    result = await session.execute(statement.limit(page.page_size).offset(page.offset))
    return list(result.all()), int(total or 0)


def readable_by(reader: Reader) -> Select[Any]:
    statement = select(Community)
    if reader.is_admin:
        return statement
    return statement.where(or_(Community.coach_id == reader.user_id, _member(reader.user_id)))


def joinable_by(user_id: uuid.UUID, now: datetime) -> ColumnElement[bool]:
    """Open communities, and the cohorts of programs the user has a current paid subscription
    to."""
    paid = exists().where(
        Subscription.user_id == user_id,
        Subscription.product_id == Community.product_id,
        Subscription.type == PAID,
        Subscription.starts_at <= now,
        Subscription.ends_at > now,
    )
    return or_(Community.product_id.is_(None), paid)


class CommunityRepository:
    async def product_coach(self, session: AsyncSession, product_id: uuid.UUID) -> uuid.UUID | None:
        coach: uuid.UUID | None = await session.scalar(
            select(Product.coach_id).where(Product.id == product_id)
        )
        return coach

    async def has_product_community(self, session: AsyncSession, product_id: uuid.UUID) -> bool:
        found = await session.scalar(select(Community.id).where(Community.product_id == product_id))
        return found is not None

    def add(self, session: AsyncSession, row: object) -> None:
        session.add(row)

    async def listing(
        self, session: AsyncSession, reader: Reader, now: datetime, page: PageRequest
    ) -> tuple[list[tuple[Community, bool]], int]:
        """The communities the reader belongs to or moderates, and those they may join, with
        whether they are a member."""
        member = _member(reader.user_id).label("member")
        visible = select(Community, member)
        if not reader.is_admin:
            visible = visible.where(
                or_(
                    Community.coach_id == reader.user_id,
                    _member(reader.user_id),
                    joinable_by(reader.user_id, now),
                )
            )
        rows, total = await _rows_page(
            session, visible.order_by(Community.created_at.desc(), Community.id), page
        )
        return [(row[0], bool(row[1])) for row in rows], total

    async def readable(
        self, session: AsyncSession, reader: Reader, community_id: uuid.UUID
    ) -> Community | None:
        community: Community | None = await session.scalar(
            readable_by(reader).where(Community.id == community_id)
        )
        return community

    async def joinable(
        self, session: AsyncSession, user_id: uuid.UUID, community_id: uuid.UUID, now: datetime
    ) -> Community | None:
        community: Community | None = await session.scalar(
            select(Community).where(Community.id == community_id, joinable_by(user_id, now))
        )
        return community

    async def is_cohort(self, session: AsyncSession, community_id: uuid.UUID) -> bool:
        product_id = await session.scalar(
            select(Community.product_id).where(Community.id == community_id)
        )
        return product_id is not None

    async def author_name(self, session: AsyncSession, user_id: uuid.UUID) -> str:
        name: str | None = await session.scalar(select(User.name).where(User.id == user_id))
        return name or ""

    async def join(
        self, session: AsyncSession, community_id: uuid.UUID, user_id: uuid.UUID
    ) -> None:
        insert = _insert(session)
        await session.execute(
            insert(CommunityMember)
            .values(community_id=community_id, user_id=user_id)
            .on_conflict_do_nothing()
        )

    async def is_member(
        self, session: AsyncSession, community_id: uuid.UUID, user_id: uuid.UUID
    ) -> bool:
        return await session.get(CommunityMember, (community_id, user_id)) is not None

    async def post_in(
        self, session: AsyncSession, post_id: uuid.UUID, reader: Reader
    ) -> tuple[CommunityPost, Community] | None:
        """The post, if its community is readable to the reader, with that community."""
        community = readable_by(reader).subquery()
        row = (
            await session.execute(
                select(CommunityPost, Community)
                .join(community, community.c.id == CommunityPost.community_id)
                .join(Community, Community.id == CommunityPost.community_id)
                .where(CommunityPost.id == post_id)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def posts(
        self, session: AsyncSession, query: PostQuery, page: PageRequest, count_limit: int
    ) -> tuple[list[tuple[CommunityPost, str]], int]:
        statement = (
            select(CommunityPost, User.name)
            .join(User, User.id == CommunityPost.author_id)
            .where(CommunityPost.community_id == query.community_id, *query.where)
        )
        if not query.moderator:
            statement = statement.where(
                or_(CommunityPost.state == PUBLISHED, CommunityPost.author_id == query.reader_id)
            )
        rows, total = await _rows_page(session, statement.order_by(*query.order), page, count_limit)
        return [(row[0], row[1]) for row in rows], total

    async def reaction_totals(
        self, session: AsyncSession, post_ids: Sequence[uuid.UUID]
    ) -> list[tuple[uuid.UUID, str, int]]:
        rows = await session.execute(
            select(CommunityReaction.post_id, CommunityReaction.type, func.count())
            .where(CommunityReaction.post_id.in_(post_ids))
            .group_by(CommunityReaction.post_id, CommunityReaction.type)
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def own_reactions(
        self, session: AsyncSession, post_ids: Sequence[uuid.UUID], user_id: uuid.UUID
    ) -> list[tuple[uuid.UUID, str]]:
        rows = await session.execute(
            select(CommunityReaction.post_id, CommunityReaction.type).where(
                CommunityReaction.post_id.in_(post_ids), CommunityReaction.user_id == user_id
            )
        )
        return [(row[0], row[1]) for row in rows]

    async def report_reasons(
        self, session: AsyncSession, post_ids: Sequence[uuid.UUID]
    ) -> list[tuple[uuid.UUID, str, int]]:
        rows = await session.execute(
            select(CommunityReport.post_id, CommunityReport.reason, func.count())
            .where(CommunityReport.post_id.in_(post_ids))
            .group_by(CommunityReport.post_id, CommunityReport.reason)
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def add_reaction(
        self, session: AsyncSession, post_id: uuid.UUID, user_id: uuid.UUID, kind: str
    ) -> bool:
        """Whether a reaction was added (False: it was already there)."""
        insert = _insert(session)
        added = await session.scalar(
            insert(CommunityReaction)
            .values(post_id=post_id, user_id=user_id, type=kind)
            .on_conflict_do_nothing()
            .returning(CommunityReaction.post_id)
        )
        return added is not None

    async def remove_reaction(
        self, session: AsyncSession, post_id: uuid.UUID, user_id: uuid.UUID, kind: str
    ) -> bool:
        removed = await session.scalar(
            delete(CommunityReaction)
            .where(
                CommunityReaction.post_id == post_id,
                CommunityReaction.user_id == user_id,
                CommunityReaction.type == kind,
            )
            .returning(CommunityReaction.post_id)
        )
        return removed is not None

    async def add_report(self, session: AsyncSession, report: CommunityReport) -> bool:
        insert = _insert(session)
        added = await session.scalar(
            insert(CommunityReport)
            .values(
                id=report.id,
                post_id=report.post_id,
                reporter_id=report.reporter_id,
                reason=report.reason,
                details=report.details,
                created_at=report.created_at,
                updated_at=report.updated_at,
            )
            .on_conflict_do_nothing(index_elements=["post_id", "reporter_id"])
            .returning(CommunityReport.id)
        )
        return added is not None

    async def bump(self, session: AsyncSession, post_id: uuid.UUID, **deltas: int) -> CommunityPost:
        """Move the post's counters by `deltas` in one statement (each writer waits for the row
        lock, so none is lost) and answer the post as it now is."""
        values = {name: getattr(CommunityPost, name) + delta for name, delta in deltas.items()}
        await session.execute(
            update(CommunityPost)
            .where(CommunityPost.id == post_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        post = await session.get(CommunityPost, post_id, populate_existing=True)
        assert post is not None  # the caller found it in this transaction
        return post

    async def comments(
        self, session: AsyncSession, post_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[tuple[CommunityComment, str]], int]:
        statement = (
            select(CommunityComment, User.name)
            .join(User, User.id == CommunityComment.author_id)
            .where(CommunityComment.post_id == post_id)
            .order_by(CommunityComment.created_at, CommunityComment.id)
        )
        rows, total = await _rows_page(session, statement, page)
        return [(row[0], row[1]) for row in rows], total


community_repository = CommunityRepository()
