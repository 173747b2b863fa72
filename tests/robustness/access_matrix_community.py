"""The access matrix's rows for communities (see access_matrix for the rules).

An open community the customer has joined, with the customer's post. Its members (the
customer) and admins read and write in it; anyone else finds nothing (404), though any
customer may join an open community. Only customers join; only admins (and a cohort's coach)
moderate, so the customer sees their own post but may not pin it (403)."""

from __future__ import annotations

import uuid

from fitcoach.messaging.community.service import CommunityDraft, PostDraft, community_service
from fitcoach.models import User
from tests.robustness.cells import Call, Row, admin_only, anyone_signed_in, reads_only, signed_in
from tests.robustness.world import Actor, World

# The customer (a member) and admins; nobody else finds the community or its posts.
members_and_admins = signed_in(200, 404, 404, 404, 200)
POLICY_BODY = {
    "reportThreshold": 3,
    "blockedWords": ["spam"],
    "holdLinks": False,
    "allowedLinkDomains": [],
}


async def _community_with_post(world: World) -> tuple[uuid.UUID, uuid.UUID]:
    """An open community the customer joined, and the customer's post in it."""
    app = world.app
    now = app.state.clock.now()
    async with app.state.sessionmaker() as session, session.begin():
        admin = await session.get(User, world.ids[Actor.ADMIN])
        customer = await session.get(User, world.customer.id)
        assert admin is not None
        assert customer is not None
        community = await community_service.create(
            session, CommunityDraft(name="Matrix", product_id=None), admin, now
        )
        await community_service.join(session, customer, community.id, now)
        view = await community_service.create_post(
            session,
            customer,
            PostDraft(community_id=community.id, body="Matrix post", attachments=[]),
            now,
        )
    return community.id, view.post.id


async def _on_community(world: World, actor: Actor) -> Call:
    community_id, _ = await _community_with_post(world)
    return Call(path={"communityId": str(community_id)})


async def _listing(world: World, actor: Actor) -> Call:
    community_id, _ = await _community_with_post(world)
    return Call(params={"communityId": str(community_id)})


async def _new_post(world: World, actor: Actor) -> Call:
    community_id, _ = await _community_with_post(world)
    return Call(json={"communityId": str(community_id), "body": "Matrix hello"})


async def _on_post(world: World, actor: Actor) -> Call:
    _, post_id = await _community_with_post(world)
    return Call(path={"postId": str(post_id)})


async def _comment(world: World, actor: Actor) -> Call:
    _, post_id = await _community_with_post(world)
    return Call(path={"postId": str(post_id)}, json={"body": "Matrix comment"})


async def _reaction(world: World, actor: Actor) -> Call:
    _, post_id = await _community_with_post(world)
    return Call(path={"postId": str(post_id), "reactionType": "like"})


async def _report(world: World, actor: Actor) -> Call:
    _, post_id = await _community_with_post(world)
    return Call(path={"postId": str(post_id)}, json={"reason": "spam"})


async def _pin(world: World, actor: Actor) -> Call:
    _, post_id = await _community_with_post(world)
    return Call(path={"postId": str(post_id)}, json={"action": "pin"})


@reads_only
async def _policy(world: World, actor: Actor) -> Call:
    return Call(json=POLICY_BODY)


@reads_only
async def _community_body(world: World, actor: Actor) -> Call:
    return Call(json={"name": "Matrix open"})


POSTS = "/api/v1/community/posts"
COMMUNITY_MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/community/communities"): Row(admin_only(201), _community_body),
    ("GET", "/api/v1/community/communities"): Row(anyone_signed_in()),
    # Any customer joins an open community; coaches and admins moderate instead.
    ("POST", "/api/v1/community/communities/{communityId}/members"): Row(
        signed_in(200, 200, 403, 403, 403), _on_community
    ),
    ("GET", POSTS): Row(members_and_admins, _listing),
    ("POST", POSTS): Row(signed_in(201, 404, 404, 404, 201), _new_post),
    ("GET", POSTS + "/{postId}/comments"): Row(members_and_admins, _on_post),
    ("POST", POSTS + "/{postId}/comments"): Row(signed_in(201, 404, 404, 404, 201), _comment),
    ("PUT", POSTS + "/{postId}/reactions/{reactionType}"): Row(members_and_admins, _reaction),
    ("DELETE", POSTS + "/{postId}/reactions/{reactionType}"): Row(members_and_admins, _reaction),
    ("POST", POSTS + "/{postId}/reports"): Row(signed_in(201, 404, 404, 404, 201), _report),
    ("POST", POSTS + "/{postId}/moderation"): Row(signed_in(403, 404, 404, 404, 200), _pin),
    ("GET", "/api/v1/admin/settings/community"): Row(admin_only()),
    ("PUT", "/api/v1/admin/settings/community"): Row(admin_only(), _policy),
}

# The customer sees their own post, so being refused its moderation says nothing new.
COMMUNITY_SEEN_BUT_NOT_THEIRS = {("POST", POSTS + "/{postId}/moderation", Actor.CUSTOMER)}
