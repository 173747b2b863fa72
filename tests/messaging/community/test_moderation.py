"""Moderation through the API: reports once per person, a post reported past the admins'
threshold held for review (out of everyone's sight but its author's and the moderators'), the
word and link filter holding posts and refusing comments, and moderators' hide and restore,
audited and published as events."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.models import AuditEntry, OutboxEvent
from tests.factories import Account, Factory, assert_error
from tests.messaging.community.helpers import (
    POLICY,
    POSTS,
    listed,
    made_community,
    members,
    moderate,
    post,
    posted,
    report,
)


async def _set_policy(client: httpx.AsyncClient, admin: Account, **policy: Any) -> None:
    body = {
        "reportThreshold": 3,
        "blockedWords": [],
        "holdLinks": False,
        "allowedLinkDomains": [],
        **policy,
    }
    response = await client.put(POLICY, json=body, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == body


async def _event_types(app: FastAPI) -> list[str]:
    async with app.state.sessionmaker() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxEvent.type)
                    .where(OutboxEvent.type.startswith("community."))
                    .order_by(OutboxEvent.recorded_at)
                )
            ).all()
        )


async def test_reports_past_the_threshold_hold_a_post_until_a_moderator_restores_it(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    author, *reporters = [await factory.customer() for _ in range(4)]
    await _set_policy(client, admin, reportThreshold=2)
    open_one = (await made_community(client, admin))["id"]
    await members(client, open_one, author, *reporters)
    written = await posted(client, author, open_one)

    first = await report(client, reporters[0], written["id"], "spam")
    assert first.status_code == 201, first.text
    assert_error(await report(client, reporters[0], written["id"]), 409, code="already_reported")
    assert [one["id"] for one in await listed(client, reporters[1], open_one)] == [written["id"]]
    assert (await report(client, reporters[1], written["id"], "harassment")).status_code == 201
    # Held: gone for members, still there for its author and the moderators.
    assert await listed(client, reporters[2], open_one) == []
    assert [one["state"] for one in await listed(client, author, open_one)] == ["held"]
    [flagged] = await listed(client, admin, open_one, filter="flagged")
    assert flagged["moderation"] == {
        "count": 2,
        "reasons": {"spam": 1, "harassment": 1},
        "state": "held",
        "heldFor": "reports",
    }
    assert_error(await report(client, reporters[2], written["id"]), 404, code="post_not_found")

    restored = await moderate(client, admin, written["id"], "restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["data"]["state"] == "published"
    assert [one["id"] for one in await listed(client, reporters[2], open_one)] == [written["id"]]
    # The reports already answered do not count again: one new one stays under the threshold.
    assert (await report(client, reporters[2], written["id"])).status_code == 201
    assert [one["state"] for one in await listed(client, reporters[2], open_one)] == ["published"]
    hidden = await moderate(client, admin, written["id"], "hide")
    assert hidden.json()["data"]["state"] == "hidden"
    assert await listed(client, reporters[2], open_one) == []

    assert await _event_types(app) == [
        "community.post_reported",
        "community.post_reported",
        "community.post_held",
        "community.post_restored",
        "community.post_reported",
        "community.post_hidden",
    ]
    async with app.state.sessionmaker() as session:
        audited = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.startswith("community.post."))
            )
        ).all()
    assert sorted(audited) == ["community.post.hide", "community.post.restore"]


async def test_the_word_and_link_filter_holds_posts_and_refuses_comments(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, coach = await factory.admin(), await factory.coach()
    author, reader = await factory.customer(), await factory.customer()
    await _set_policy(
        client,
        admin,
        blockedWords=["Steroids"],
        holdLinks=True,
        allowedLinkDomains=["youtube.com"],
    )
    open_one = (await made_community(client, admin))["id"]
    await members(client, open_one, author, reader)
    fine = await posted(client, author, open_one, "My form: https://www.youtube.com/watch?v=1")
    assert fine["state"] == "published"
    worded = await posted(client, author, open_one, "Where do I buy STEROIDS?")
    linked = await posted(client, author, open_one, "Cheap gear at http://shop.example/x")
    assert [worded["state"], linked["state"]] == ["held", "held"]
    # Whole words only.
    assert (await posted(client, author, open_one, "No steroidsfree talk"))["state"] == "published"
    assert [one["id"] for one in await listed(client, reader, open_one, filter="mine")] == []
    seen = {one["id"] for one in await listed(client, reader, open_one)}
    assert worded["id"] not in seen
    assert linked["id"] not in seen
    [held_one, *_] = await listed(client, admin, open_one, filter="flagged")
    assert held_one["moderation"]["heldFor"] == "filter"
    comment = await client.post(
        f"{POSTS}/{fine['id']}/comments",
        json={"body": "try steroids"},
        headers=reader.headers,
    )
    assert_error(comment, 422, code="comment_not_allowed")
    assert "community.post_held" in await _event_types(app)
    # A community's coach is not every community's moderator.
    assert_error(await moderate(client, coach, fine["id"], "hide"), 404, code="post_not_found")
    assert_error(await post(client, coach, open_one), 404, code="community_not_found")


async def test_the_policy_is_admin_only_and_validated(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, coach = await factory.admin(), await factory.coach()
    defaults = await client.get(POLICY, headers=admin.headers)
    assert defaults.json()["data"] == {
        "reportThreshold": 3,
        "blockedWords": [],
        "holdLinks": False,
        "allowedLinkDomains": [],
    }
    assert_error(await client.get(POLICY, headers=coach.headers), 403)
    bad = {"reportThreshold": 0, "blockedWords": [], "holdLinks": False, "allowedLinkDomains": []}
    assert_error(await client.put(POLICY, json=bad, headers=admin.headers), 422)
