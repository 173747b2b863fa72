"""Group threads through HTTP: a session's thread follows its bookings (booking puts a customer
in, giving the place back takes them out, canceling the session closes it), a program's group
thread takes its buyers in and lets go of those whose subscription ended; participants write
by threadId and see unread counts, outsiders are refused, admins read; redelivered events add
no one twice; the context filter lists each kind."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.commerce.events import OrderPaid
from fitcoach.messaging.groups.handlers import follow_programs, follow_session
from fitcoach.models import OutboxEvent, ThreadParticipant
from fitcoach.scheduling.events import SessionBooked
from fitcoach.worker.events import DomainEvent, event_of
from tests.commerce.billing import changed, subscribe
from tests.commerce.helpers import bought, coach_product
from tests.factories import Account, Factory, assert_error
from tests.messaging.helpers import messages, threads
from tests.scheduling.helpers import SESSIONS, change, grant_sessions, inbox, run_events, scheduled


async def _post(
    client: httpx.AsyncClient, sender: Account, thread_id: str, body: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/messages",
        json={"threadId": thread_id, "body": body, "attachments": [], **extra},
        headers=sender.headers,
    )


async def _posted(client: httpx.AsyncClient, sender: Account, thread_id: str, body: str) -> None:
    response = await _post(client, sender, thread_id, body)
    assert response.status_code == 201, response.text


def _people(thread: dict[str, Any]) -> set[str]:
    return {one["id"] for one in thread["participants"]}


async def _only(client: httpx.AsyncClient, account: Account, context: str) -> dict[str, Any]:
    found = await threads(client, account, context=context)
    assert len(found) == 1, found
    return found[0]


async def _redeliver(app: FastAPI, kind: type[DomainEvent], handler: Any) -> None:
    """Every recorded event of `kind` handled again, as a redelivery would."""
    async with app.state.sessionmaker() as session, session.begin():
        rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.type == kind.type))
        for row in rows.all():
            await handler(session, event_of(row))


async def _participant_rows(app: FastAPI, thread_id: str) -> int:
    async with app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ThreadParticipant)
            .where(ThreadParticipant.thread_id == uuid.UUID(thread_id))
        )
    return int(count or 0)


async def test_a_session_thread_follows_its_bookings(app: FastAPI, factory: Factory) -> None:
    client = factory.client
    coach, admin = await factory.coach(), await factory.admin()
    ann, bob, eve = [await factory.customer() for _ in range(3)]
    for customer in (ann, bob):
        await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [ann, bob])
    sess = await scheduled(factory, coach, coach)
    await run_events(factory)
    # Nobody booked yet: no thread in anyone's list.
    assert await threads(client, coach, context="session") == []

    for customer in (ann, bob):
        booked = await client.post(f"{SESSIONS}/{sess['id']}/bookings", headers=customer.headers)
        assert booked.status_code == 201, booked.text
    await run_events(factory)
    thread = await _only(client, ann, "session")
    thread_id = thread["id"]
    assert (thread["sessionId"], thread["productId"], thread["closedAt"]) == (
        sess["id"],
        None,
        None,
    )
    assert _people(thread) == {coach.user_id, ann.user_id, bob.user_id}
    assert await threads(client, ann, context="direct") == []
    assert [one["id"] for one in await threads(client, ann)] == [thread_id]

    # The coach and the booked customers write to each other by the thread's id (recipientId
    # left out, or naming another participant), and count what they have not read.
    await _posted(client, coach, thread_id, "Bring a mat")
    by_bob = await _post(client, bob, thread_id, "Will do", recipientId=ann.user_id)
    assert by_bob.status_code == 201, by_bob.text
    assert (await _only(client, ann, "session"))["unreadCount"] == 2
    assert (await _only(client, coach, "session"))["unreadCount"] == 1
    # Sending marks the thread read up to one's own message.
    shown = await _only(client, bob, "session")
    assert (shown["unreadCount"], shown["lastMessage"]["preview"]) == (0, "Will do")
    assert_error(
        await _post(client, bob, thread_id, "Psst", recipientId=eve.user_id),
        422,
        code="recipient_not_in_thread",
    )

    # An outsider neither reads nor writes; an admin reads (moderation) but is no participant.
    assert_error(await _post(client, eve, thread_id, "Hi all"), 404, code="thread_not_found")
    outsider = await client.get(f"/api/v1/threads/{thread_id}/messages", headers=eve.headers)
    assert_error(outsider, 404, code="thread_not_found")
    read = await messages(client, admin, thread_id)
    assert [one["body"] for one in read["items"]] == ["Will do", "Bring a mat"]
    assert_error(await _post(client, admin, thread_id, "Hello"), 404, code="thread_not_found")

    # Ann gives her place back: she is out of the thread, and a redelivered booking of hers
    # does not bring her back nor anyone in twice.
    assert (await change(factory, ann, sess["id"], status="canceled")).status_code == 200
    await run_events(factory)
    assert_error(await _post(client, ann, thread_id, "Still here?"), 404, code="thread_not_found")
    assert await threads(client, ann, context="session") == []
    await _redeliver(app, SessionBooked, follow_session)
    assert _people(await _only(client, coach, "session")) == {coach.user_id, bob.user_id}
    assert await _participant_rows(app, thread_id) == 2

    # The coach calls the session off: the thread stays readable and takes no more messages.
    canceled = await change(factory, coach, sess["id"], status="canceled")
    assert canceled.status_code == 200, canceled.text
    await run_events(factory)
    assert_error(await _post(client, bob, thread_id, "Oh no"), 409, code="thread_closed")
    closed = await _only(client, bob, "session")
    assert closed["closedAt"] is not None
    assert _people(closed) == {coach.user_id, bob.user_id}
    assert len((await messages(client, bob, thread_id))["items"]) == 2


async def test_a_session_scheduled_with_participants_has_its_thread_at_once(
    factory: Factory,
) -> None:
    coach, ann = await factory.coach(), await factory.customer()
    await factory.assign_coach(coach, ann)
    await grant_sessions(factory, [ann])
    sess = await scheduled(
        factory, coach, coach, type="one-to-one", capacity=1, participants=[ann.user_id]
    )
    await run_events(factory)
    thread = await _only(factory.client, coach, "session")
    assert (thread["sessionId"], _people(thread)) == (sess["id"], {coach.user_id, ann.user_id})


async def test_a_program_group_thread_takes_its_buyers(app: FastAPI, factory: Factory) -> None:
    client = factory.client
    coach, product = await coach_product(client, factory)
    ann, bob, eve = [await factory.customer() for _ in range(3)]
    await bought(client, ann, product["id"])
    subscription_id = await subscribe(client, bob, product["id"])
    await run_events(factory)

    thread = await _only(client, ann, "program_group")
    thread_id = thread["id"]
    assert (thread["productId"], thread["sessionId"]) == (product["id"], None)
    assert _people(thread) == {coach.user_id, ann.user_id, bob.user_id}
    assert await threads(client, ann, context="session") == []
    assert await threads(client, eve, context="program_group") == []

    # A message reaches every other participant: unread, and told in their inbox.
    await _posted(client, ann, thread_id, "Week one done!")
    await run_events(factory)
    assert (await _only(client, bob, "program_group"))["unreadCount"] == 1
    assert (await _only(client, coach, "program_group"))["unreadCount"] == 1
    ann_name = next(one["name"] for one in thread["participants"] if one["id"] == ann.user_id)
    for told in (bob, coach):
        titles = [one["title"] for one in await inbox(factory, told)]
        assert f"New message from {ann_name}" in titles
    assert_error(await _post(client, eve, thread_id, "Can I join?"), 404, code="thread_not_found")

    # Paid orders handled again put no one in twice.
    await _redeliver(app, OrderPaid, follow_programs)
    assert await _participant_rows(app, thread_id) == 3

    # Bob cancels his subscription: he leaves the group; Ann and the coach stay.
    await changed(client, bob, subscription_id, action="cancel", immediately=True)
    await run_events(factory)
    assert await threads(client, bob, context="program_group") == []
    assert_error(await _post(client, bob, thread_id, "Bye"), 404, code="thread_not_found")
    assert _people(await _only(client, coach, "program_group")) == {coach.user_id, ann.user_id}


async def test_a_message_names_a_thread_or_a_recipient(factory: Factory) -> None:
    ann = await factory.customer()
    response = await factory.client.post(
        "/api/v1/messages", json={"body": "Hello", "attachments": []}, headers=ann.headers
    )
    assert_error(response, 422)
