"""The thread list (latest activity first, previews, unread counts), a thread's messages by
cursor, read receipts the same on every device, and editing or deleting within the window."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error, with_settings
from tests.messaging.helpers import messages, read_up_to, sent, threads


async def test_threads_come_latest_first_with_a_preview_and_the_callers_unread_count(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach = await factory.coach()
    first, second = await factory.customer(), await factory.customer()
    await factory.assign_coach(coach, first)
    await factory.assign_coach(coach, second)
    await sent(client, first, coach, "Morning!")
    clock.advance(minutes=1)
    await sent(client, second, coach, "x" * 200)
    clock.advance(minutes=1)
    await sent(client, second, coach, "Two " * 40)
    listed = await threads(client, coach)
    assert {one["id"] for one in listed[0]["participants"]} == {coach.user_id, second.user_id}
    assert [one["unreadCount"] for one in listed] == [2, 1]
    latest = listed[0]["lastMessage"]
    assert latest["senderId"] == second.user_id
    assert len(latest["preview"]) == 80
    assert latest["preview"].endswith("…")
    assert listed[1]["lastMessage"]["preview"] == "Morning!"
    # The sender has read what they sent.
    assert [one["unreadCount"] for one in await threads(client, second)] == [0]
    only_first = await threads(client, coach, participantId=first.user_id)
    assert [one["id"] for one in only_first] == [listed[1]["id"]]
    assert await threads(client, coach, context="session") == []


async def test_the_thread_list_reads_a_fixed_number_of_queries(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()

    async def statements_for_list() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
        try:
            await threads(client, admin)
        finally:
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
        return len(seen)

    await sent(client, admin, await factory.customer())
    few = await statements_for_list()
    for _ in range(5):
        await sent(client, admin, await factory.customer())
    assert await statements_for_list() == few


async def test_messages_page_by_cursor_newest_first(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    bodies = [f"message {n}" for n in range(7)]
    thread_id = ""
    for body in bodies:
        thread_id = (await sent(client, admin, customer, body))["threadId"]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = await messages(client, customer, thread_id, **params)
        seen += [one["body"] for one in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == list(reversed(bodies))
    assert_error(
        await client.get(
            f"/api/v1/threads/{thread_id}/messages", headers=(await factory.customer()).headers
        ),
        404,
        code="thread_not_found",
    )
    bad = await client.get(
        f"/api/v1/threads/{thread_id}/messages", params={"cursor": "abc"}, headers=admin.headers
    )
    assert_error(bad, 422)


async def test_read_receipts_show_who_read_and_unread_counts_agree_on_every_device(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    first = await sent(client, admin, customer, "one")
    second = await sent(client, admin, customer, "two")
    third = await sent(client, admin, customer, "three")
    thread_id = first["threadId"]
    response = await read_up_to(client, customer, thread_id, second["id"])
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"threadId": thread_id, "unreadCount": 1}
    # A late receipt from another device does not move the position back.
    late = await read_up_to(client, customer, thread_id, first["id"])
    assert late.json()["data"]["unreadCount"] == 1
    [listed] = await threads(client, customer)
    assert listed["unreadCount"] == 1
    page = await messages(client, admin, thread_id)
    read_by = {one["body"]: one["readBy"] for one in page["items"]}
    assert read_by == {"three": [], "two": [customer.user_id], "one": [customer.user_id]}
    await read_up_to(client, customer, thread_id, third["id"])
    assert (await threads(client, customer))[0]["unreadCount"] == 0
    other = await factory.admin()
    assert_error(await read_up_to(client, other, thread_id, third["id"]), 404)
    unknown = await read_up_to(client, customer, thread_id, "00000000-0000-4000-8000-000000000000")
    assert_error(unknown, 404, code="message_not_found")


@with_settings(message_edit_window_seconds=60)
async def test_a_sender_edits_and_deletes_within_the_window_only(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    message = await sent(client, admin, customer, "Helo")
    path = f"/api/v1/messages/{message['id']}"
    edited = await client.patch(path, json={"body": "Hello"}, headers=admin.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["data"]["body"] == "Hello"
    assert edited.json()["data"]["editedAt"] is not None
    not_theirs = await client.patch(path, json={"body": "Hi"}, headers=customer.headers)
    assert_error(not_theirs, 403, code="not_your_message")
    stranger = await factory.admin()
    assert_error(await client.delete(path, headers=stranger.headers), 404, code="message_not_found")
    deleted = await client.delete(path, headers=admin.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["data"]["deleted"] is True
    assert deleted.json()["data"]["body"] is None
    [shown] = (await messages(client, customer, message["threadId"]))["items"]
    assert shown["deleted"] is True
    assert shown["body"] is None
    [listed] = await threads(client, customer)
    assert listed["lastMessage"]["deleted"] is True
    assert listed["lastMessage"]["preview"] is None
    assert listed["unreadCount"] == 0
    assert_error(await client.delete(path, headers=admin.headers), 409, code="message_deleted")
    late = await sent(client, admin, customer, "Later")
    clock.advance(seconds=61)
    too_late = await client.patch(
        f"/api/v1/messages/{late['id']}", json={"body": "x"}, headers=admin.headers
    )
    assert_error(too_late, 409, code="edit_window_closed")
