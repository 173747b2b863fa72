"""Who may write to whom: a customer to their coaches and support (admins), a coach to their own
customers, an admin to anyone; everyone else is 404, and a blocked account receives nothing."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from fitcoach.models import User
from tests.factories import Factory, assert_error
from tests.messaging.helpers import send, sent, threads


async def test_a_customer_writes_to_their_coach_and_the_coach_answers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, customer = await factory.coach(), await factory.customer()
    await factory.assign_coach(coach, customer)
    first = await sent(client, customer, coach, "Can we move Friday?")
    reply = await sent(client, coach, customer, "Sure")
    assert reply["threadId"] == first["threadId"]
    [thread] = await threads(client, coach)
    assert thread["context"] == "direct"
    assert {one["id"] for one in thread["participants"]} == {coach.user_id, customer.user_id}


async def test_a_customer_may_not_write_to_another_coach_or_customer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer, stranger, coach = (
        await factory.customer(),
        await factory.customer(),
        await factory.coach(),
    )
    assert_error(await send(client, customer, coach), 404, code="recipient_not_found")
    assert_error(await send(client, customer, stranger), 404, code="recipient_not_found")
    assert_error(await send(client, customer, customer), 404, code="recipient_not_found")
    assert await threads(client, customer) == []


async def test_a_coach_writes_only_to_their_current_customers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, customer, other = await factory.coach(), await factory.coach(), await factory.customer()
    mine = await factory.customer()
    await factory.assign_coach(coach, mine)
    await sent(client, coach, mine)
    assert_error(await send(client, coach, other), 404, code="recipient_not_found")
    assert_error(await send(client, coach, customer), 404, code="recipient_not_found")
    await factory.unassign_coach(coach, mine)
    assert_error(await send(client, coach, mine), 404, code="recipient_not_found")


async def test_support_is_reachable_by_customers_and_an_admin_reaches_anyone(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer, coach = await factory.admin(), await factory.customer(), await factory.coach()
    to_support = await sent(client, customer, admin, "My payment failed")
    await sent(client, admin, coach, "Hello coach")
    [support] = await threads(client, customer)
    assert support["id"] == to_support["threadId"]
    assert support["context"] == "support"
    assert [one["context"] for one in await threads(client, coach)] == ["direct"]
    contexts = await threads(client, admin, context="support")
    assert [one["id"] for one in contexts] == [to_support["threadId"]]


async def test_nobody_writes_to_a_blocked_account(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == customer.id).values(is_blocked=True))
    assert_error(await send(client, admin, customer), 403, code="recipient_unavailable")


async def test_a_blocked_user_writes_to_no_one(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == customer.id).values(is_blocked=True))
    assert_error(await send(client, customer, admin), 403, code="account_blocked")


async def test_an_unknown_recipient_or_thread_is_404_and_an_empty_message_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer, coach = await factory.admin(), await factory.customer(), await factory.coach()
    response = await client.post(
        "/api/v1/messages",
        json={"recipientId": "00000000-0000-4000-8000-000000000000", "body": "Hi"},
        headers=admin.headers,
    )
    assert_error(response, 404, code="recipient_not_found")
    assert_error(await send(client, admin, customer, "   "), 422, code="empty_message")
    theirs = await sent(client, admin, coach)
    # A thread the caller takes no part in, and a recipient outside the thread.
    assert_error(
        await send(client, customer, admin, threadId=theirs["threadId"]),
        404,
        code="thread_not_found",
    )
    assert_error(
        await send(client, admin, customer, threadId=theirs["threadId"]),
        422,
        code="recipient_not_in_thread",
    )
    assert_error(
        await send(client, admin, coach, attachments=["00000000-0000-4000-8000-000000000001"]),
        422,
        code="unknown_attachment",
    )
