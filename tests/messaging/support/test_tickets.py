"""Support tickets through the API: deadlines in Cairo's working week with a holiday, the
assigned agent, replies and statuses (the clock stopped while the customer is asked), and who
sees which ticket."""

from __future__ import annotations

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error
from tests.messaging.files import PDF, upload
from tests.messaging.support.helpers import (
    CAIRO,
    TARGETS,
    agent,
    later,
    move,
    opened,
    reply,
    set_cairo_policy,
)
from tests.training.helpers import set_local_time


async def test_a_friday_evening_ticket_counts_from_sunday_morning_and_skips_the_holiday(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-01-08T19:00:00", CAIRO)  # a Friday
    admin, customer = await factory.admin(), await factory.customer(name="Mona")
    helper = await agent(factory, "Samir")
    await set_cairo_policy(factory, admin, holidays=["2027-01-12"])

    ticket = await opened(factory, customer, "normal")
    assert ticket["status"] == "open"
    assert ticket["requester"] == {"id": customer.user_id, "name": "Mona"}
    assert ticket["assignedAgent"] == {"id": helper.user_id, "name": "Samir"}
    # 8 working hours: all of Sunday (17:00 Cairo is 15:00 UTC).
    assert ticket["slaDeadline"] == {
        "firstResponseDueAt": "2027-01-10T15:00:00.000Z",
        # 40 hours: Sunday, Monday, (Tuesday's holiday), Wednesday, Thursday, next Sunday.
        "resolutionDueAt": "2027-01-17T15:00:00.000Z",
        "paused": False,
        "timeZone": CAIRO,
    }


async def test_the_clock_stops_while_the_customer_is_asked_and_a_reopened_ticket_starts_again(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-01-10T09:00:00", CAIRO)  # Sunday, opening time
    admin, customer = await factory.admin(), await factory.customer()
    helper = await agent(factory)
    await set_cairo_policy(factory, admin, holidays=[])
    ticket = await opened(factory, customer, "normal")
    ticket_id = ticket["id"]

    await later(factory, clock, helper, customer, hours=1)
    answered = await reply(factory, helper, ticket_id, "Which device?")
    assert answered["firstRespondedAt"] == "2027-01-10T08:00:00.000Z"
    assert answered["slaDeadline"]["firstResponseDueAt"] is None

    await later(factory, clock, helper, customer, hours=1)  # 11:00: 38 working hours left
    asked = await move(factory, helper, ticket_id, "pending_customer")
    assert asked.status_code == 200, asked.text
    assert asked.json()["data"]["slaDeadline"]["resolutionDueAt"] is None
    assert asked.json()["data"]["slaDeadline"]["paused"] is True

    # Two days later the customer answers: the 38 hours count from Tuesday 11:00.
    await later(factory, clock, helper, customer, days=2)
    back = await reply(factory, customer, ticket_id, "An iPhone")
    assert back["status"] == "open"
    # Tue 6h, Wed 8h, Thu 8h, Sun 8h, Mon 8h: Monday 17:00 Cairo.
    assert back["slaDeadline"]["resolutionDueAt"] == "2027-01-18T15:00:00.000Z"
    assert back["slaDeadline"]["paused"] is False

    resolved = await move(factory, helper, ticket_id, "resolved")
    assert resolved.json()["data"]["status"] == "resolved"
    assert resolved.json()["data"]["resolvedAt"] == "2027-01-12T09:00:00.000Z"
    # The customer answering a resolved ticket reopens it with a whole budget of 40 hours:
    # 38 up to Monday's close as above, and 2 more on Tuesday the 19th (11:00 Cairo).
    clock.advance(seconds=1)
    reopened = await reply(factory, customer, ticket_id, "It is back again")
    assert reopened["status"] == "reopened"
    assert reopened["resolvedAt"] is None
    assert reopened["slaDeadline"]["resolutionDueAt"] == "2027-01-19T09:00:01.000Z"
    assert [one["body"] for one in reopened["replies"]] == [
        "Which device?",
        "An iPhone",
        "It is back again",
    ]

    closed = await move(factory, customer, ticket_id, "closed")
    assert closed.json()["data"]["status"] == "closed"
    assert_error(
        await factory.client.post(
            f"/api/v1/support/tickets/{ticket_id}/replies",
            json={"body": "one more thing"},
            headers=customer.headers,
        ),
        409,
        code="ticket_closed",
    )
    assert_error(await move(factory, helper, ticket_id, "open"), 409)


async def test_a_customer_only_closes_or_reopens(factory: Factory) -> None:
    customer = await factory.customer()
    ticket = await opened(factory, customer)
    assert ticket["assignedAgent"] is None  # no agent exists yet
    refused = await move(factory, customer, ticket["id"], "resolved")
    assert_error(refused, 409, code="ticket_status_change_refused")
    assert_error(await move(factory, customer, ticket["id"], "nonsense"), 422)


async def test_customers_see_their_own_tickets_and_support_staff_every_one(
    factory: Factory, clock: FrozenClock
) -> None:
    mona, omar = await factory.customer(), await factory.customer()
    coach, admin = await factory.coach(), await factory.admin()
    helper = await agent(factory)
    first = await opened(factory, mona, "urgent")
    clock.advance(seconds=1)
    second = await opened(factory, omar, "low")

    async def listed(account: object, **params: str) -> list[str]:
        response = await factory.client.get(
            "/api/v1/support/tickets",
            params=params,
            headers=account.headers,  # type: ignore[attr-defined]
        )
        assert response.status_code == 200, response.text
        return [one["id"] for one in response.json()["data"]["items"]]

    assert await listed(mona) == [first["id"]]
    assert await listed(coach) == []
    assert await listed(helper) == [second["id"], first["id"]]
    assert await listed(admin, priority="urgent") == [first["id"]]
    assert await listed(admin, requesterId=omar.user_id) == [second["id"]]
    assert await listed(helper, assignedAgentId=helper.user_id, status="open") == [
        second["id"],
        first["id"],
    ]
    assert await listed(helper, status="closed") == []

    other = await factory.client.get(f"/api/v1/support/tickets/{first['id']}", headers=omar.headers)
    assert_error(other, 404, code="ticket_not_found")
    assert_error(await move(factory, omar, first["id"], "closed"), 404)
    seen = await factory.client.get(
        f"/api/v1/support/tickets/{first['id']}", headers=helper.headers
    )
    assert seen.status_code == 200
    assert seen.json()["data"]["replies"] == []


async def test_the_support_policy_refuses_what_it_cannot_count(factory: Factory) -> None:
    admin = await factory.admin()
    good = {
        "timeZone": CAIRO,
        "workingHours": {"sunday": {"start": "09:00", "end": "17:00"}},
        "targets": TARGETS,
    }
    for change in (
        {"timeZone": "Mars/Olympus"},
        {"workingHours": {}},
        {"workingHours": {"sunday": {"start": "17:00", "end": "09:00"}}},
        {"targets": {"urgent": TARGETS["urgent"]}},
        {"targets": {**TARGETS, "low": {"firstResponseMinutes": 10, "resolutionMinutes": 5}}},
    ):
        response = await factory.client.put(
            "/api/v1/admin/settings/support", json={**good, **change}, headers=admin.headers
        )
        assert_error(response, 422)
    ok = await factory.client.put(
        "/api/v1/admin/settings/support", json=good, headers=admin.headers
    )
    assert ok.status_code == 200, ok.text


async def test_a_ticket_carries_the_requesters_files_for_support_staff_to_open(
    factory: Factory,
) -> None:
    customer, other, admin = (
        await factory.customer(),
        await factory.customer(),
        await factory.admin(),
    )
    helper = await agent(factory)
    attachment_id = (await upload(factory.client, customer, PDF)).json()["data"]["id"]
    ticket = await opened(factory, customer, attachments=[attachment_id])
    assert ticket["attachments"] == [attachment_id]

    for reader, status in ((customer, 200), (helper, 200), (admin, 200), (other, 404)):
        response = await factory.client.get(
            f"/api/v1/attachments/{attachment_id}", headers=reader.headers
        )
        assert response.status_code == status, response.text
    # A file goes with one ticket (or message) only; someone else's cannot be attached.
    again = await factory.client.post(
        "/api/v1/support/tickets",
        json={
            "subject": "Again",
            "description": "Same file",
            "priority": "low",
            "attachments": [attachment_id],
        },
        headers=customer.headers,
    )
    assert_error(again, 422, code="unknown_ticket_attachment")
    theirs = await factory.client.post(
        f"/api/v1/support/tickets/{ticket['id']}/replies",
        json={"body": "Here", "attachments": [attachment_id]},
        headers=helper.headers,
    )
    assert_error(theirs, 422, code="unknown_ticket_attachment")
