"""The entitlement ledger through HTTP: an admin grants and takes back sessions, the balance is
the sum of the lines, who may read a customer's ledger, and expiry closing what grants leave."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import EntitlementEntry
from fitcoach.scheduling.entitlements.service import Grant, entitlement_service
from tests.factories import Account, Factory, assert_error
from tests.scheduling.helpers import balance
from tests.training.helpers import refresh


def _path(customer: Account, admin: bool = False) -> str:
    return f"/api/v1{'/admin' if admin else ''}/customers/{customer.user_id}/entitlements"


async def test_an_admin_grants_and_takes_back_sessions(factory: Factory) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    start = factory.now
    body = {
        "sessions": 8,
        "validFrom": start.isoformat(),
        "validUntil": (start + timedelta(days=30)).isoformat(),
        "reason": "January, Gold membership",
    }
    granted = await factory.client.post(_path(customer, True), json=body, headers=admin.headers)
    assert granted.status_code == 201, granted.text
    assert granted.json()["data"]["balance"] == 8
    first = granted.json()["data"]["items"][0]
    assert (first["kind"], first["amount"], first["reason"]) == (
        "grant",
        8,
        "January, Gold membership",
    )

    # A retry with the same key grants nothing more.
    key = {"Idempotency-Key": "grant-1", **admin.headers}
    for _ in range(2):
        again = await factory.client.post(
            _path(customer, True), json={**body, "sessions": 2}, headers=key
        )
        assert again.status_code == 201
    assert await balance(factory, customer, customer) == 10

    taken = await factory.client.post(
        _path(customer, True), json={"sessions": -3, "reason": "Refunded"}, headers=admin.headers
    )
    assert taken.json()["data"]["balance"] == 7
    refused = await factory.client.post(
        _path(customer, True), json={"sessions": -8, "reason": "Too much"}, headers=admin.headers
    )
    assert_error(refused, 422, code="insufficient_entitlement")

    for bad in (
        {"sessions": 0, "reason": "x"},
        {"sessions": 2, "reason": "no period"},
        {**body, "validUntil": start.isoformat()},
        {**body, "validFrom": "2027-01-01T00:00:00"},
    ):
        assert_error(
            await factory.client.post(_path(customer, True), json=bad, headers=admin.headers), 422
        )
    coach = await factory.coach()
    assert_error(
        await factory.client.post(_path(coach, True), json=body, headers=admin.headers),
        404,
        code="customer_not_found",
    )
    assert_error(
        await factory.client.post(_path(customer, True), json=body, headers=coach.headers), 403
    )


async def test_who_may_read_a_ledger(factory: Factory) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    customer, other = await factory.customer(), await factory.customer()
    await factory.assign_coach(coach, customer)
    for viewer in (customer, coach, await factory.admin()):
        assert (
            await factory.client.get(_path(customer), headers=viewer.headers)
        ).status_code == 200
    for viewer in (other, other_coach):
        assert_error(
            await factory.client.get(_path(customer), headers=viewer.headers),
            404,
            code="customer_not_found",
        )


async def test_expiry_closes_what_a_grant_leaves_and_the_sum_stays_the_balance(
    factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    now = factory.now
    async with factory.app.state.sessionmaker() as session, session.begin():
        for days, reason in ((10, "short"), (40, "long")):
            await entitlement_service.grant(
                session,
                Grant(customer.id, 3, now, now + timedelta(days=days), reason, f"sub:{reason}"),
                None,
                now,
            )
        # Granting the same source again is the same grant.
        await entitlement_service.grant(
            session,
            Grant(customer.id, 3, now, now + timedelta(days=10), "short", "sub:short"),
            None,
            now,
        )
    assert await balance(factory, customer, customer) == 6

    clock.advance(days=11)
    async with factory.app.state.sessionmaker() as session, session.begin():
        assert await entitlement_service.expire_due(session, clock.now()) == 1
    async with factory.app.state.sessionmaker() as session, session.begin():
        assert await entitlement_service.expire_due(session, clock.now()) == 0
        total = await session.scalar(
            select(func.sum(EntitlementEntry.amount)).where(
                EntitlementEntry.customer_id == customer.id
            )
        )
        kinds = sorted(await session.scalars(select(EntitlementEntry.kind)))
    assert total == 3
    assert kinds == ["expire", "grant", "grant"]
    await refresh(factory, customer)
    assert await balance(factory, customer, customer) == 3
