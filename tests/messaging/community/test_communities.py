"""Communities through the API: who may join (any customer an open one; a program's cohort
only its paying customers), who reads and writes (members, the coach, admins; everyone else
finds nothing), and the post list's sorts, filters, reaction summaries and comment counts in a
fixed number of queries."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import event, insert

from fitcoach.core.clock import FrozenClock
from fitcoach.messaging.community.service import POST_COUNT_LIMIT
from fitcoach.models import CommunityPost
from tests.catalog.payloads import published_product
from tests.factories import Factory, assert_error, with_settings
from tests.messaging.community.helpers import (
    COMMUNITIES,
    POSTS,
    join,
    listed,
    made_community,
    members,
    moderate,
    pay_for,
    post,
    posted,
    react,
)
from tests.messaging.files import PDF, upload


async def test_a_cohort_is_for_its_paying_customers_and_moderated_by_its_coach(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, coach = await factory.admin(), await factory.coach()
    paying, other = await factory.customer(), await factory.customer()
    product = await published_product(client, coach)
    cohort = await made_community(client, admin, name="Cohort", productId=product["id"])
    assert cohort["kind"] == "program"
    assert cohort["coachId"] == coach.user_id
    again = await client.post(
        COMMUNITIES, json={"name": "Twice", "productId": product["id"]}, headers=admin.headers
    )
    assert_error(again, 409, code="community_exists")
    unknown = await client.post(
        COMMUNITIES, json={"name": "None", "productId": coach.user_id}, headers=admin.headers
    )
    assert_error(unknown, 404, code="program_not_found")
    assert_error(await join(client, other, cohort["id"]), 403, code="not_eligible_to_join")
    assert_error(await join(client, coach, cohort["id"]), 403, code="customers_only")
    await pay_for(factory, paying, product["id"])
    assert (await join(client, paying, cohort["id"])).json()["data"]["member"] is True
    # Joining again changes nothing.
    assert (await join(client, paying, cohort["id"])).status_code == 200
    mine = (await client.get(COMMUNITIES, headers=paying.headers)).json()["data"]["items"]
    assert [(one["id"], one["member"]) for one in mine] == [(cohort["id"], True)]
    assert (await client.get(COMMUNITIES, headers=other.headers)).json()["data"]["items"] == []

    written = await posted(client, paying, cohort["id"], "Hello cohort")
    assert written["moderation"] is None
    # A non-member finds neither the community nor the post.
    response = await client.get(POSTS, params={"communityId": cohort["id"]}, headers=other.headers)
    assert_error(response, 404, code="community_not_found")
    assert_error(await react(client, other, written["id"]), 404, code="post_not_found")
    # The coach moderates without joining: flags shown, and pinning works.
    [seen] = await listed(client, coach, cohort["id"])
    assert seen["moderation"] == {"count": 0, "reasons": {}, "state": "published", "heldFor": None}
    pinned = await moderate(client, coach, written["id"], "pin")
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["data"]["pinned"] is True
    assert_error(await moderate(client, paying, written["id"], "hide"), 403, code="moderators_only")


# Sign-ins last the whole test, whose posts are hours apart.
@with_settings(access_token_ttl_seconds=86_400)
async def test_posts_sort_filter_and_summarise_reactions(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin, coach = await factory.admin(), await factory.coach()
    ann, bob, cat = await factory.customer(), await factory.customer(), await factory.customer()
    open_one = (await made_community(client, admin))["id"]
    await members(client, open_one, ann, bob, cat)
    old = await posted(client, ann, open_one, "old and loved")
    clock.advance(hours=20)
    middle = await posted(client, bob, open_one, "middle")
    clock.advance(hours=1)
    attachment = (await upload(client, cat, PDF)).json()["data"]["id"]
    new = await posted(client, cat, open_one, "newest, with a file", attachments=[attachment])
    for account, kind in ((ann, "like"), (bob, "like"), (cat, "love"), (bob, "strong")):
        assert (await react(client, account, old["id"], kind)).status_code == 200
    await react(client, ann, middle["id"])
    comment = await client.post(
        f"{POSTS}/{middle['id']}/comments", json={"body": "Nice"}, headers=cat.headers
    )
    assert comment.status_code == 201, comment.text

    by_new = await listed(client, bob, open_one)
    assert [one["id"] for one in by_new] == [new["id"], middle["id"], old["id"]]
    by_top = await listed(client, bob, open_one, sort="top")
    assert [one["id"] for one in by_top] == [old["id"], middle["id"], new["id"]]
    # Hot: 4 reactions 21 hours ago rank below 1 reaction + 1 comment an hour ago.
    by_hot = await listed(client, bob, open_one, sort="hot")
    assert [one["id"] for one in by_hot] == [middle["id"], new["id"], old["id"]]
    summary = by_top[0]["reactions"]
    assert summary == {
        "counts": {"like": 2, "love": 1, "strong": 1},
        "total": 4,
        "mine": ["like", "strong"],
    }
    assert by_top[1]["commentCount"] == 1
    assert by_top[0]["moderation"] is None
    assert [one["id"] for one in await listed(client, bob, open_one, filter="mine")] == [
        middle["id"]
    ]
    media = await listed(client, bob, open_one, filter="media")
    assert [one["attachments"] for one in media] == [[attachment]]
    # A member may open a post's file; someone outside the community may not.
    link = await client.get(f"/api/v1/attachments/{attachment}", headers=bob.headers)
    assert link.status_code == 200, link.text
    assert (await client.get(link.json()["data"]["url"])).content == PDF
    outsider = await factory.customer()
    assert_error(
        await client.get(f"/api/v1/attachments/{attachment}", headers=outsider.headers), 404
    )
    # The same file cannot be posted twice.
    twice = await post(client, cat, open_one, "again", attachments=[attachment])
    assert_error(twice, 422, code="unknown_attachment")
    flagged = await client.get(
        POSTS, params={"communityId": open_one, "filter": "flagged"}, headers=bob.headers
    )
    assert_error(flagged, 403, code="flagged_for_moderators_only")
    assert await listed(client, admin, open_one, filter="pinned") == []
    assert_error(await join(client, coach, open_one), 403, code="customers_only")


async def test_a_reaction_set_or_unset_twice_counts_once(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, ann = await factory.admin(), await factory.customer()
    open_one = (await made_community(client, admin))["id"]
    await members(client, open_one, ann)
    written = await posted(client, ann, open_one)
    for _ in range(2):
        set_ = await react(client, ann, written["id"], "celebrate")
        assert set_.json()["data"]["reactions"] == {
            "counts": {"celebrate": 1},
            "total": 1,
            "mine": ["celebrate"],
        }
    for _ in range(2):
        unset = await react(client, ann, written["id"], "celebrate", on=False)
        assert unset.json()["data"]["reactions"] == {"counts": {}, "total": 0, "mine": []}
    assert_error(await react(client, ann, written["id"], "dislike"), 422)


async def test_the_post_list_reads_a_fixed_number_of_queries(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    readers = [await factory.customer() for _ in range(3)]
    open_one = (await made_community(client, admin))["id"]
    await members(client, open_one, *readers)

    async def statements_for_list() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
        try:
            assert await listed(client, admin, open_one)
        finally:
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
        return len(seen)

    async def more_posts() -> None:
        for reader in readers:
            written = await posted(client, reader, open_one)
            await react(client, reader, written["id"])
            await client.post(
                f"{POSTS}/{written['id']}/reports", json={"reason": "other"}, headers=admin.headers
            )

    await more_posts()
    few = await statements_for_list()
    for _ in range(3):
        await more_posts()
    assert await statements_for_list() == few


async def test_a_large_communitys_total_is_counted_up_to_a_limit(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    """Counting every post would read them all on every page: past POST_COUNT_LIMIT the total
    says "more than this", so a million posts page as fast as a hundred."""
    admin = await factory.admin()
    community_id = (await made_community(client, admin))["id"]
    await posted(client, admin, community_id)
    response = await client.get(
        POSTS, params={"communityId": community_id, "sort": "hot"}, headers=admin.headers
    )
    assert response.json()["data"]["pagination"]["totalIsExact"] is True

    rows = [
        {
            "id": uuid.uuid4(),
            "community_id": uuid.UUID(community_id),
            "author_id": admin.id,
            "body": f"Post {number}",
            "attachments": [],
            "has_media": False,
            "state": "published",
            "pinned": False,
            "reaction_count": 0,
            "comment_count": 0,
            "report_count": 0,
            "reports_reviewed": 0,
            "hot_rank": float(number),
            "created_at": factory.now,
            "updated_at": factory.now,
        }
        for number in range(POST_COUNT_LIMIT)
    ]
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(insert(CommunityPost), rows)

    response = await client.get(
        POSTS, params={"communityId": community_id, "sort": "hot"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    page = response.json()["data"]
    assert page["pagination"]["total"] == POST_COUNT_LIMIT
    assert page["pagination"]["totalIsExact"] is False
    # Hottest first: the post made through the API ranks by its time, far above these.
    assert [item["body"] for item in page["items"][:2]] == [
        "Week 1 done",
        f"Post {POST_COUNT_LIMIT - 1}",
    ]
