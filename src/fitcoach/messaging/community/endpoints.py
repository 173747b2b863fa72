"""Community (api-design §5): communities and joining them, posts listed with reactions and
(for moderators) moderation flags, comments, reactions, reports, moderation, and the admins'
word and link filter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from fitcoach.access.dependencies import AdminUser, CurrentUser, user_rate_limit
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import CommunityIdPath, PostIdPath
from fitcoach.messaging.community.dependencies import PostListingDep
from fitcoach.messaging.community.schemas import (
    CommentIn,
    CommentOut,
    CommunityIn,
    CommunityOut,
    CommunityPolicyIn,
    CommunityPolicyOut,
    ModerationIn,
    PostIn,
    PostOut,
    PostReactionsOut,
    ReportIn,
    ReportOut,
)
from fitcoach.messaging.community.service import (
    POST_COUNT_LIMIT,
    ReactionType,
    community_service,
)

router = APIRouter(tags=["community"])

POST_LIMIT = "30/minute"
COMMENT_LIMIT = "60/minute"
REACT_LIMIT = "120/minute"
REPORT_LIMIT = "20/minute"

ReactionPath = Annotated[ReactionType, Path(alias="reactionType", description="The reaction")]


@router.post(
    "/community/communities",
    response_model=DataEnvelope[CommunityOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Create a community: open to all customers, or a program's cohort (admin)",
)
async def create_community(
    body: CommunityIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[CommunityOut]:
    community = await community_service.create(session, body.to_draft(), admin, clock.now())
    return ok(CommunityOut.of(community, member=False))


@router.get(
    "/community/communities",
    response_model=DataEnvelope[Page[CommunityOut]],
    responses=error_responses(401, 422),
    summary="The communities the caller belongs to, moderates or may join",
)
async def list_communities(
    actor: CurrentUser, session: ReadSession, clock: ClockDep, page: PageRequestDep
) -> DataEnvelope[Page[CommunityOut]]:
    rows, total = await community_service.communities(session, actor, clock.now(), page)
    return ok(Page[CommunityOut].of([CommunityOut.of(*row) for row in rows], total, page))


@router.post(
    "/community/communities/{communityId}/members",
    response_model=DataEnvelope[CommunityOut],
    responses=error_responses(401, 403, 404, 422),
    summary="Join a community: an open one, or the cohort of a program you pay for (customers)",
)
async def join_community(
    community_id: CommunityIdPath, actor: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[CommunityOut]:
    community = await community_service.join(session, actor, community_id, clock.now())
    return ok(CommunityOut.of(community, member=True))


@router.get(
    "/community/posts",
    response_model=DataEnvelope[Page[PostOut]],
    responses=error_responses(401, 403, 404, 422),
    summary="A community's posts with reaction summaries and, for moderators, moderation flags",
)
async def list_posts(
    listing: PostListingDep, actor: CurrentUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[PostOut]]:
    views, total = await community_service.posts(session, actor, listing, page)
    posts = [PostOut.of(view) for view in views]
    return ok(Page[PostOut].of(posts, total, page, count_limit=POST_COUNT_LIMIT))


@router.post(
    "/community/posts",
    response_model=DataEnvelope[PostOut],
    status_code=201,
    responses=error_responses(400, 401, 404, 422, 429),
    summary="Post in a community (members and moderators); the word and link filter may hold it",
    dependencies=[user_rate_limit("community.post", POST_LIMIT)],
)
async def create_post(
    body: PostIn, author: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[PostOut]:
    view = await community_service.create_post(session, author, body.to_draft(), clock.now())
    return ok(PostOut.of(view))


@router.get(
    "/community/posts/{postId}/comments",
    response_model=DataEnvelope[Page[CommentOut]],
    responses=error_responses(401, 404, 422),
    summary="A post's comments, oldest first",
)
async def list_comments(
    post_id: PostIdPath, actor: CurrentUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[CommentOut]]:
    rows, total = await community_service.comments(session, actor, post_id, page)
    return ok(Page[CommentOut].of([CommentOut.of(*row) for row in rows], total, page))


@router.post(
    "/community/posts/{postId}/comments",
    response_model=DataEnvelope[CommentOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Comment on a published post (members and moderators)",
    dependencies=[user_rate_limit("community.comment", COMMENT_LIMIT)],
)
async def create_comment(
    post_id: PostIdPath, body: CommentIn, author: CurrentUser, session: DbSession
) -> DataEnvelope[CommentOut]:
    comment, _ = await community_service.comment(session, author, post_id, body.body)
    return ok(CommentOut.of(comment, author.name))


@router.put(
    "/community/posts/{postId}/reactions/{reactionType}",
    response_model=DataEnvelope[PostReactionsOut],
    responses=error_responses(401, 403, 404, 409, 422, 429),
    summary="React to a post (setting a reaction twice counts once)",
    dependencies=[user_rate_limit("community.react", REACT_LIMIT)],
)
async def add_reaction(
    post_id: PostIdPath, reaction: ReactionPath, actor: CurrentUser, session: DbSession
) -> DataEnvelope[PostReactionsOut]:
    view = await community_service.react(session, actor, post_id, (reaction.value, True))
    return ok(PostReactionsOut.of(view))


@router.delete(
    "/community/posts/{postId}/reactions/{reactionType}",
    response_model=DataEnvelope[PostReactionsOut],
    responses=error_responses(401, 403, 404, 409, 422, 429),
    summary="Take a reaction back (taking it back twice changes nothing more)",
    dependencies=[user_rate_limit("community.react", REACT_LIMIT)],
)
async def remove_reaction(
    post_id: PostIdPath, reaction: ReactionPath, actor: CurrentUser, session: DbSession
) -> DataEnvelope[PostReactionsOut]:
    view = await community_service.react(session, actor, post_id, (reaction.value, False))
    return ok(PostReactionsOut.of(view))


@router.post(
    "/community/posts/{postId}/reports",
    response_model=DataEnvelope[ReportOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Report a post, once; past the threshold it is held for review",
    dependencies=[user_rate_limit("community.report", REPORT_LIMIT)],
)
async def report_post(
    post_id: PostIdPath, body: ReportIn, actor: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[ReportOut]:
    post = await community_service.report(
        session, actor, post_id, (body.reason, body.details), clock.now()
    )
    return ok(ReportOut.of(post, body.reason))


@router.post(
    "/community/posts/{postId}/moderation",
    response_model=DataEnvelope[PostOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Hide, restore, pin or unpin a post (the community's coach, admins)",
)
async def moderate_post(
    post_id: PostIdPath, body: ModerationIn, actor: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[PostOut]:
    view = await community_service.moderate(session, actor, post_id, body.action, clock.now())
    return ok(PostOut.of(view))


@router.get(
    "/admin/settings/community",
    response_model=DataEnvelope[CommunityPolicyOut],
    responses=error_responses(401, 403),
    summary="The report threshold and the word and link filter (admin)",
)
async def get_community_policy(
    admin: AdminUser, session: ReadSession
) -> DataEnvelope[CommunityPolicyOut]:
    return ok(CommunityPolicyOut.of(await community_service.policy(session)))


@router.put(
    "/admin/settings/community",
    response_model=DataEnvelope[CommunityPolicyOut],
    responses=error_responses(400, 401, 403, 422),
    summary="Set the report threshold and the word and link filter (admin)",
)
async def set_community_policy(
    body: CommunityPolicyIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[CommunityPolicyOut]:
    policy = body.to_policy()
    await community_service.set_policy(session, policy, admin, clock.now())
    return ok(CommunityPolicyOut.of(policy))
