"""Concurrent first messages between two people make one thread, with every message in it,
numbered without gaps (PostgreSQL: SQLite serialises writers)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.models import Message, MessageThread
from tests.factories import Factory
from tests.messaging.helpers import messages, send, threads
from tests.robustness.concurrency import at_once


@pytest.mark.postgres_only
async def test_concurrent_first_messages_make_one_thread(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, customer = await factory.coach(), await factory.customer()
    await factory.assign_coach(coach, customer)
    responses = await at_once(
        [send(client, coach, customer, f"coach {n}") for n in range(4)]
        + [send(client, customer, coach, f"customer {n}") for n in range(4)]
    )
    assert [response.status_code for response in responses] == [201] * 8
    assert len({response.json()["data"]["threadId"] for response in responses}) == 1
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(MessageThread)) == 1
        seqs = sorted((await session.scalars(select(Message.seq))).all())
    assert seqs == list(range(1, 9))
    [thread] = await threads(client, coach)
    page = await messages(client, customer, thread["id"])
    assert len(page["items"]) == 8
    # Sending reads the thread up to one's own message: the coach has not read only the
    # customer's messages after the coach's last one.
    senders = [item["senderId"] for item in page["items"]]
    assert thread["unreadCount"] == senders.index(coach.user_id)
