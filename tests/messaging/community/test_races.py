"""Concurrent reactions and reports on PostgreSQL: whatever order they commit in, each post's
counts equal the rows they count, and each person reports once."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.models import CommunityPost, CommunityReaction, CommunityReport
from tests.factories import Factory
from tests.messaging.community.helpers import made_community, members, posted, react, report
from tests.robustness.concurrency import at_once


@pytest.mark.postgres_only
async def test_concurrent_toggles_leave_consistent_counts(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    people = [await factory.customer() for _ in range(4)]
    open_one = (await made_community(client, admin))["id"]
    await members(client, open_one, *people)
    written = await posted(client, people[0], open_one)
    post_id = written["id"]
    # Each person sets "like" three times and "love" twice at once; the first two also take
    # their "love" back once, racing their own setting of it.
    calls = []
    for person in people:
        calls += [react(client, person, post_id, "like") for _ in range(3)]
        calls += [react(client, person, post_id, "love") for _ in range(2)]
    responses = await at_once(calls)
    assert {response.status_code for response in responses} == {200}
    unset = await at_once(
        [
            react(client, person, post_id, "love", on=False)
            for person in people[:2]
            for _ in range(2)
        ]
        + [react(client, person, post_id, "strong") for person in people]
    )
    assert {response.status_code for response in unset} == {200}
    reports = await at_once(
        [report(client, person, post_id) for person in people[1:] for _ in range(2)]
    )
    assert sorted(response.status_code for response in reports) == [201] * 3 + [409] * 3
    async with app.state.sessionmaker() as session:
        stored = await session.get(CommunityPost, uuid.UUID(post_id))
        assert stored is not None
        rows = await session.scalar(
            select(func.count())
            .select_from(CommunityReaction)
            .where(CommunityReaction.post_id == stored.id)
        )
        reported = await session.scalar(
            select(func.count())
            .select_from(CommunityReport)
            .where(CommunityReport.post_id == stored.id)
        )
    # 4 likes, 2 loves left, 4 strongs.
    assert rows == 10
    assert stored.reaction_count == 10
    assert stored.report_count == reported == 3
