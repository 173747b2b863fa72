"""The SLA sweep on a moved clock: a warning at 80 % of each deadline and a breach past it,
each once, none while the customer is asked; two sweeps at once record each event once
(PostgreSQL). Assignment: round-robin among available agents with the fewest open tickets, fair
when tickets arrive at once (PostgreSQL)."""

from __future__ import annotations

from collections import Counter

import pytest

from fitcoach.core.clock import FrozenClock
from fitcoach.messaging.support.service import support_service
from tests.factories import Factory
from tests.messaging.support.helpers import (
    agent,
    later,
    move,
    opened,
    reply,
    set_cairo_policy,
    sla_events,
)
from tests.robustness.concurrency import at_once
from tests.training.helpers import set_local_time

CAIRO = "Africa/Cairo"
WARNING, BREACH = "support.sla_warning", "support.sla_breached"


async def _sweep(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session, session.begin():
        return await support_service.sweep(session, factory.now)


async def test_each_deadline_warns_at_80_percent_and_breaches_once(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-01-10T09:00:00", CAIRO)  # Sunday, opening time
    admin, customer = await factory.admin(), await factory.customer()
    helper = await agent(factory)
    await set_cairo_policy(factory, admin, holidays=[])
    # Urgent: a first reply within 60 working minutes, resolution within 480.
    ticket = await opened(factory, customer, "urgent")
    first = (ticket["id"],)

    clock.advance(minutes=47)
    assert await _sweep(factory) == 0
    clock.advance(minutes=1)  # 48 minutes: 80 % of the first-response budget
    assert await _sweep(factory) == 1
    assert await _sweep(factory) == 0
    clock.advance(minutes=12)
    assert await _sweep(factory) == 1
    assert await _sweep(factory) == 0
    assert await sla_events(factory) == [
        (WARNING, "first_response", *first),
        (BREACH, "first_response", *first),
    ]

    # Asked at 10:00 with 7 working hours to go; the clock stops for a night and a day.
    await later(factory, clock, helper, customer)
    await reply(factory, helper, ticket["id"], "Which device?")
    asked = await move(factory, helper, ticket["id"], "pending_customer")
    assert asked.status_code == 200, asked.text
    await later(factory, clock, helper, customer, days=1)
    assert await _sweep(factory) == 0
    back = await reply(factory, customer, ticket["id"], "An iPhone")  # Monday 10:00
    assert back["slaDeadline"]["resolutionDueAt"] == "2027-01-11T15:00:00.000Z"
    # The warning comes at 80 % of 480 minutes (384: 6h24 of work), 15:24 Monday.
    set_local_time(clock, "2027-01-11T15:23:00", CAIRO)
    assert await _sweep(factory) == 0
    clock.advance(minutes=1)
    assert await _sweep(factory) == 1
    set_local_time(clock, "2027-01-11T17:00:00", CAIRO)
    assert await _sweep(factory) == 1
    clock.advance(days=3)
    assert await _sweep(factory) == 0
    assert [kind for kind, _deadline, _ticket in await sla_events(factory)] == [
        WARNING,
        BREACH,
        WARNING,
        BREACH,
    ]


@pytest.mark.postgres_only
async def test_two_sweeps_at_once_record_each_event_once(
    factory: Factory, clock: FrozenClock
) -> None:
    customers = [await factory.customer() for _ in range(3)]
    for customer in customers:
        await opened(factory, customer, "urgent")
    clock.advance(days=14)  # every deadline of every ticket has passed

    async def sweep() -> int:
        return await _sweep(factory)

    counts = await at_once([sweep(), sweep(), sweep()])
    assert sum(counts) == 12  # 3 tickets x 2 deadlines x (warning, breach)
    events = await sla_events(factory)
    assert len(events) == len(set(events)) == 12


async def test_tickets_go_round_robin_to_available_agents_with_the_fewest_open(
    factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    ada, _bo, cy = [await agent(factory, name) for name in ("Ada", "Bo", "Cy")]
    away = await factory.client.put(
        "/api/v1/support/agents/me/availability", json={"available": False}, headers=cy.headers
    )
    assert away.status_code == 200, away.text
    assigned = []
    for _ in range(4):
        clock.advance(seconds=1)
        assigned.append((await opened(factory, customer))["assignedAgent"]["name"])
    assert sorted(assigned[:2]) == ["Ada", "Bo"]
    assert assigned[2:] == assigned[:2]  # round-robin: the one served longest ago next

    # Ada resolves one: she has the fewest open and gets the next one.
    mine = await factory.client.get(
        "/api/v1/support/tickets",
        params={"assignedAgentId": ada.user_id},
        headers=ada.headers,
    )
    resolved = await move(factory, ada, mine.json()["data"]["items"][0]["id"], "resolved")
    assert resolved.status_code == 200
    clock.advance(seconds=1)
    assert (await opened(factory, customer))["assignedAgent"]["name"] == "Ada"


@pytest.mark.postgres_only
async def test_tickets_opened_at_once_are_shared_evenly(factory: Factory) -> None:
    customers = [await factory.customer() for _ in range(9)]
    agents = [await agent(factory, f"Agent {n}") for n in range(3)]
    tickets = await at_once([opened(factory, customer, "high") for customer in customers])
    counts = Counter(one["assignedAgent"]["id"] for one in tickets)
    assert counts == {one.user_id: 3 for one in agents}
