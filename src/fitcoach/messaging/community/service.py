"""Community rules: who reads and writes where (members, the community's coach, admins), posts
held for review by the word and link filter or by reports past the threshold, reactions set and
unset idempotently, and moderators' hide, restore and pin, audited and published as events.

Sort orders: `new` newest first; `top` most reactions first; `hot` by rank =
log10(max(reactions + 2 x comments, 1)) + created_epoch_seconds / 45000 (the Reddit formula: a
post twelve and a half hours newer needs ten times less engagement to rank the same)."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.http.pagination import PageRequest
from fitcoach.messaging.attachments.service import Holder, attachments_service
from fitcoach.messaging.community.events import (
    PostHeld,
    PostHidden,
    PostPinned,
    PostReported,
    PostRestored,
)
from fitcoach.messaging.community.exceptions import (
    AlreadyReported,
    CommentNotAllowed,
    CommunityExists,
    CommunityNotFound,
    CustomersOnly,
    FlaggedForModeratorsOnly,
    ModeratorsOnly,
    NotACommunityMember,
    NotEligibleToJoin,
    PostNotFound,
    PostNotOpen,
    ProgramNotFound,
    UnknownAttachment,
)
from fitcoach.messaging.community.policy import CommunityPolicy
from fitcoach.messaging.community.repository import (
    PUBLISHED,
    PostQuery,
    Reader,
    community_repository,
)
from fitcoach.models import (
    Actor,
    Community,
    CommunityComment,
    CommunityPost,
    CommunityReport,
)
from fitcoach.models.enums import Role
from fitcoach.settings.service import SettingKey, setting_service
from fitcoach.worker.events import record_event

HOT_SECONDS = 45_000

# How far a community's post list counts: past it, the total says "more than this", so a
# community of a million posts pages as fast as one of a hundred.
POST_COUNT_LIMIT = 1_000


class PostSort(StrEnum):
    new = "new"
    top = "top"
    hot = "hot"


class PostFilter(StrEnum):
    mine = "mine"
    media = "media"
    pinned = "pinned"
    flagged = "flagged"


class ReactionType(StrEnum):
    like = "like"
    love = "love"
    celebrate = "celebrate"
    strong = "strong"


class ReportReason(StrEnum):
    spam = "spam"
    harassment = "harassment"
    hate = "hate"
    misinformation = "misinformation"
    self_harm = "self_harm"
    other = "other"


class PostState(StrEnum):
    published = "published"
    held = "held"
    hidden = "hidden"


class ModerationAction(StrEnum):
    hide = "hide"
    restore = "restore"
    pin = "pin"
    unpin = "unpin"


@dataclass(frozen=True)
class CommunityDraft:
    name: str
    product_id: uuid.UUID | None


@dataclass(frozen=True)
class PostDraft:
    community_id: uuid.UUID
    body: str
    attachments: list[uuid.UUID]


@dataclass(frozen=True)
class PostListing:
    community_id: uuid.UUID
    sort: PostSort
    filter: PostFilter | None


@dataclass(frozen=True)
class Flags:
    count: int
    reasons: dict[str, int]
    state: str
    held_for: str | None


@dataclass
class PostView:
    post: CommunityPost
    author_name: str
    reactions: dict[str, int] = field(default_factory=dict)
    mine: list[str] = field(default_factory=list)
    flags: Flags | None = None


def hot_rank(reactions: int, comments: int, created_at: datetime) -> float:
    return math.log10(max(reactions + 2 * comments, 1)) + created_at.timestamp() / HOT_SECONDS


def _reader(actor: Actor) -> Reader:
    return Reader(user_id=actor.id, is_admin=Role.ADMIN in actor.roles)


def _moderates(actor: Actor, community: Community) -> bool:
    return Role.ADMIN in actor.roles or community.coach_id == actor.id


_ORDER: dict[PostSort, tuple[ColumnElement[Any], ...]] = {
    PostSort.new: (CommunityPost.created_at.desc(), CommunityPost.id.desc()),
    PostSort.top: (
        CommunityPost.reaction_count.desc(),
        CommunityPost.created_at.desc(),
        CommunityPost.id.desc(),
    ),
    PostSort.hot: (CommunityPost.hot_rank.desc(), CommunityPost.id.desc()),
}


class CommunityService:
    async def policy(self, session: AsyncSession) -> CommunityPolicy:
        return CommunityPolicy.parse(
            await setting_service.value(session, SettingKey.COMMUNITY_POLICY)
        )

    async def set_policy(
        self, session: AsyncSession, policy: CommunityPolicy, admin: Actor, now: datetime
    ) -> None:
        await setting_service.set(
            session, SettingKey.COMMUNITY_POLICY, policy.dump(), admin.id, now
        )

    async def create(
        self, session: AsyncSession, draft: CommunityDraft, admin: Actor, now: datetime
    ) -> Community:
        coach_id = None
        if draft.product_id is not None:
            coach_id = await community_repository.product_coach(session, draft.product_id)
            if coach_id is None:
                raise ProgramNotFound()
            if await community_repository.has_product_community(session, draft.product_id):
                raise CommunityExists()
        community = Community(name=draft.name, product_id=draft.product_id, coach_id=coach_id)
        community_repository.add(session, community)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="community.created",
                resource_type="community",
                resource_id=community.id,
                details={"name": draft.name, "productId": str(draft.product_id)},
            ),
            now,
        )
        return community

    async def communities(
        self, session: AsyncSession, actor: Actor, now: datetime, page: PageRequest
    ) -> tuple[list[tuple[Community, bool]], int]:
        return await community_repository.listing(session, _reader(actor), now, page)

    async def join(
        self, session: AsyncSession, actor: Actor, community_id: uuid.UUID, now: datetime
    ) -> Community:
        """A customer joins an open community, or their paid program's cohort (again: no-op)."""
        if Role.CUSTOMER not in actor.roles:
            raise CustomersOnly()
        community = await community_repository.joinable(session, actor.id, community_id, now)
        if community is None:
            if await community_repository.is_cohort(session, community_id):
                raise NotEligibleToJoin()
            raise CommunityNotFound()
        await community_repository.join(session, community.id, actor.id)
        return community

    async def _community(
        self, session: AsyncSession, actor: Actor, community_id: uuid.UUID
    ) -> tuple[Community, bool]:
        community = await community_repository.readable(session, _reader(actor), community_id)
        if community is None:
            raise CommunityNotFound()
        return community, _moderates(actor, community)

    async def posts(
        self, session: AsyncSession, actor: Actor, listing: PostListing, page: PageRequest
    ) -> tuple[list[PostView], int]:
        """A page of posts with their reaction totals, the caller's own reactions and, for
        moderators, the reports: a fixed number of queries whatever the page holds."""
        community, moderator = await self._community(session, actor, listing.community_id)
        where: list[ColumnElement[bool]] = []
        if listing.filter is PostFilter.mine:
            where.append(CommunityPost.author_id == actor.id)
        elif listing.filter is PostFilter.media:
            where.append(CommunityPost.has_media.is_(True))
        elif listing.filter is PostFilter.pinned:
            where.append(CommunityPost.pinned.is_(True))
        elif listing.filter is PostFilter.flagged:
            if not moderator:
                raise FlaggedForModeratorsOnly()
            where.append(or_(CommunityPost.report_count > 0, CommunityPost.state != PUBLISHED))
        query = PostQuery(
            community_id=community.id,
            reader_id=actor.id,
            moderator=moderator,
            order=_ORDER[listing.sort],
            where=tuple(where),
        )
        rows, total = await community_repository.posts(session, query, page, POST_COUNT_LIMIT)
        views = {post.id: PostView(post=post, author_name=name) for post, name in rows}
        await self._decorate(session, actor, views, moderator)
        return list(views.values()), total

    async def _decorate(
        self, session: AsyncSession, actor: Actor, views: dict[uuid.UUID, PostView], moderator: bool
    ) -> None:
        if not views:
            return
        ids = list(views)
        for post_id, kind, count in await community_repository.reaction_totals(session, ids):
            views[post_id].reactions[kind] = count
        for post_id, kind in await community_repository.own_reactions(session, ids, actor.id):
            views[post_id].mine.append(kind)
        if not moderator:
            return
        reasons: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
        for post_id, reason, count in await community_repository.report_reasons(session, ids):
            reasons[post_id][reason] = count
        for post_id, view in views.items():
            view.flags = Flags(
                count=view.post.report_count,
                reasons=reasons.get(post_id, {}),
                state=view.post.state,
                held_for=view.post.held_for,
            )

    async def create_post(
        self, session: AsyncSession, author: Actor, draft: PostDraft, now: datetime
    ) -> PostView:
        community, moderator = await self._community(session, author, draft.community_id)
        policy = await self.policy(session)
        held = not moderator and policy.catches(draft.body)
        post = CommunityPost(
            community_id=community.id,
            author_id=author.id,
            body=draft.body,
            attachments=[str(one) for one in draft.attachments],
            has_media=bool(draft.attachments),
            state=PostState.held.value if held else PostState.published.value,
            held_for="filter" if held else None,
            pinned=False,
            reaction_count=0,
            comment_count=0,
            report_count=0,
            reports_reviewed=0,
            hot_rank=hot_rank(0, 0, now),
        )
        community_repository.add(session, post)
        await session.flush()
        if draft.attachments and not await attachments_service.attach(
            session, author, draft.attachments, (Holder.post, post.id)
        ):
            raise UnknownAttachment()
        if held:
            record_event(
                session,
                PostHeld(
                    occurred_at=now,
                    actor_id=author.id,
                    subject_type="community_post",
                    subject_id=str(post.id),
                    community_id=community.id,
                    author_id=author.id,
                    held_for="filter",
                ),
            )
        view = PostView(post=post, author_name=author.name)
        if moderator:
            view.flags = Flags(count=0, reasons={}, state=post.state, held_for=post.held_for)
        return view

    async def _view(self, session: AsyncSession, post: CommunityPost) -> PostView:
        return PostView(
            post=post, author_name=await community_repository.author_name(session, post.author_id)
        )

    async def _open_post(
        self, session: AsyncSession, actor: Actor, post_id: uuid.UUID
    ) -> tuple[CommunityPost, Community, bool]:
        """A post the actor may see, in a community they may write to."""
        found = await community_repository.post_in(session, post_id, _reader(actor))
        if found is None:
            raise PostNotFound()
        post, community = found
        moderator = _moderates(actor, community)
        if post.state != PUBLISHED and not moderator and post.author_id != actor.id:
            raise PostNotFound()
        if not moderator and not await community_repository.is_member(
            session, community.id, actor.id
        ):
            raise NotACommunityMember()
        return post, community, moderator

    async def comment(
        self, session: AsyncSession, author: Actor, post_id: uuid.UUID, body: str
    ) -> tuple[CommunityComment, CommunityPost]:
        post, _, moderator = await self._open_post(session, author, post_id)
        if post.state != PUBLISHED:
            raise PostNotOpen()
        if not moderator and (await self.policy(session)).catches(body):
            raise CommentNotAllowed()
        comment = CommunityComment(post_id=post.id, author_id=author.id, body=body)
        community_repository.add(session, comment)
        await session.flush()
        post = await community_repository.bump(session, post.id, comment_count=1)
        post.hot_rank = hot_rank(post.reaction_count, post.comment_count, post.created_at)
        await session.flush()
        return comment, post

    async def comments(
        self, session: AsyncSession, actor: Actor, post_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[tuple[CommunityComment, str]], int]:
        found = await community_repository.post_in(session, post_id, _reader(actor))
        if found is None:
            raise PostNotFound()
        post, community = found
        hidden = post.state != PUBLISHED and not _moderates(actor, community)
        if hidden and post.author_id != actor.id:
            raise PostNotFound()
        return await community_repository.comments(session, post.id, page)

    async def react(
        self, session: AsyncSession, actor: Actor, post_id: uuid.UUID, reaction: tuple[str, bool]
    ) -> PostView:
        """Set (`on`) or unset a reaction: doing either twice changes nothing more."""
        kind, on = reaction
        post, _, _ = await self._open_post(session, actor, post_id)
        if post.state != PUBLISHED:
            raise PostNotOpen()
        if on:
            changed = await community_repository.add_reaction(session, post.id, actor.id, kind)
        else:
            changed = await community_repository.remove_reaction(session, post.id, actor.id, kind)
        if changed:
            post = await community_repository.bump(session, post.id, reaction_count=1 if on else -1)
            post.hot_rank = hot_rank(post.reaction_count, post.comment_count, post.created_at)
            await session.flush()
        views = {post.id: await self._view(session, post)}
        await self._decorate(session, actor, views, moderator=False)
        return views[post.id]

    async def report(
        self,
        session: AsyncSession,
        reporter: Actor,
        post_id: uuid.UUID,
        reason: tuple[ReportReason, str | None],
        now: datetime,
    ) -> CommunityPost:
        """Report once; a post reported past the threshold (since a moderator last restored it)
        is held for review."""
        post, community, _ = await self._open_post(session, reporter, post_id)
        if post.state != PUBLISHED:
            raise PostNotOpen()
        kind, details = reason
        report = CommunityReport(
            id=uuid.uuid4(),
            post_id=post.id,
            reporter_id=reporter.id,
            reason=kind.value,
            details=details,
            created_at=now,
            updated_at=now,
        )
        if not await community_repository.add_report(session, report):
            raise AlreadyReported()
        post = await community_repository.bump(session, post.id, report_count=1)
        subject = {"subject_type": "community_post", "subject_id": str(post.id)}
        record_event(
            session,
            PostReported(
                occurred_at=now,
                actor_id=reporter.id,
                community_id=community.id,
                reason=kind.value,
                report_count=post.report_count,
                **subject,
            ),
        )
        threshold = (await self.policy(session)).report_threshold
        if post.state == PUBLISHED and post.report_count - post.reports_reviewed >= threshold:
            post.state, post.held_for = PostState.held.value, "reports"
            await session.flush()
            record_event(
                session,
                PostHeld(
                    occurred_at=now,
                    actor_id=reporter.id,
                    community_id=community.id,
                    author_id=post.author_id,
                    held_for="reports",
                    **subject,
                ),
            )
        return post

    async def moderate(
        self,
        session: AsyncSession,
        moderator: Actor,
        post_id: uuid.UUID,
        action: ModerationAction,
        now: datetime,
    ) -> PostView:
        found = await community_repository.post_in(session, post_id, _reader(moderator))
        if found is None:
            raise PostNotFound()
        post, community = found
        if not _moderates(moderator, community):
            if post.state != PUBLISHED and post.author_id != moderator.id:
                raise PostNotFound()
            raise ModeratorsOnly()
        before: dict[str, object] = {"state": post.state, "pinned": post.pinned}
        event_type: type[PostHidden | PostRestored | PostPinned]
        if action is ModerationAction.hide:
            post.state, event_type = PostState.hidden.value, PostHidden
        elif action is ModerationAction.restore:
            post.state, post.held_for, event_type = PostState.published.value, None, PostRestored
            post.reports_reviewed = post.report_count
        else:
            post.pinned, event_type = action is ModerationAction.pin, PostPinned
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action=f"community.post.{action.value}",
                resource_type="community_post",
                resource_id=post.id,
                changes=changes_between(before, {"state": post.state, "pinned": post.pinned}),
            ),
            now,
        )
        record_event(
            session,
            event_type(
                occurred_at=now,
                actor_id=moderator.id,
                subject_type="community_post",
                subject_id=str(post.id),
                community_id=community.id,
                action=action.value,
            ),
        )
        views = {post.id: await self._view(session, post)}
        await self._decorate(session, moderator, views, moderator=True)
        return views[post.id]


community_service = CommunityService()
