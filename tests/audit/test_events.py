"""Each security event and change writes exactly one audit entry, with the actor, the client IP,
the request id and the changed fields, and never a secret."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from tests.audit.trail import as_text, entries, only
from tests.factories import STRONG_PASSWORD, Factory, random_phone
from tests.plans.payloads import create_plan

CLIENT_IP = "203.0.113.10"


async def test_otp_login_success(client: httpx.AsyncClient, app: FastAPI, factory: Factory) -> None:
    account = await factory.customer()
    code = await factory.send_code(account.phone)
    response = await client.post(
        "/api/v1/auth/otp/login", json={"phone": account.phone, "otp": code}
    )
    entry = await only(app, "auth.login.succeeded")
    assert entry.actor_type == "user"
    assert entry.actor_id == account.id
    assert entry.actor_roles == "CUSTOMER"
    assert (entry.resource_type, entry.resource_id) == ("user", account.user_id)
    assert entry.details == {"method": "otp"}
    assert entry.client_ip == CLIENT_IP
    assert entry.request_id == response.headers["X-Request-ID"]
    sent = await only(app, "otp.sent")
    assert sent.actor_type == "anonymous"
    assert sent.details == {"phone": account.phone, "purpose": "auth", "smsSent": True}
    assert code not in as_text(sent)


async def test_failed_logins_are_kept_although_the_request_fails(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    account = await factory.customer()
    await client.post(
        "/api/v1/auth/login", json={"provider": account.phone, "password": "Wr0ng!Password"}
    )
    await client.post(
        "/api/v1/auth/login", json={"provider": "nobody@example.com", "password": STRONG_PASSWORD}
    )
    code = await factory.send_code(account.phone)
    wrong = "000000" if code != "000000" else "111111"
    await client.post("/api/v1/auth/otp/login", json={"phone": account.phone, "otp": wrong})
    failures = await entries(app, "auth.login.failed")
    # The frozen clock gives them one timestamp; compare without order.
    assert sorted(
        ((str(entry.actor_id), entry.actor_type, entry.details) for entry in failures), key=str
    ) == sorted(
        [
            (
                str(account.id),
                "user",
                {
                    "method": "password",
                    "identifier": account.phone,
                    "reason": "Invalid credentials",
                },
            ),
            (
                "None",
                "anonymous",
                {
                    "method": "password",
                    "identifier": "nobody@example.com",
                    "reason": "Invalid credentials",
                },
            ),
            (
                str(account.id),
                "user",
                {"method": "otp", "identifier": account.phone, "reason": "Invalid OTP"},
            ),
        ],
        key=str,
    )
    for entry in failures:
        assert "Wr0ng!Password" not in as_text(entry)
        assert STRONG_PASSWORD not in as_text(entry)


async def test_blocked_login_attempt(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    admin = await factory.admin()
    account = await factory.customer()
    await client.post(f"/api/v1/admin/users/{account.user_id}/block", headers=admin.headers)
    await client.post(
        "/api/v1/auth/login", json={"provider": account.phone, "password": STRONG_PASSWORD}
    )
    failure = await only(app, "auth.login.failed")
    assert failure.details == {
        "method": "password",
        "identifier": account.phone,
        "reason": "Account is blocked",
    }
    blocked = await only(app, "user.blocked")
    assert blocked.actor_id == admin.id
    assert blocked.actor_roles == "ADMIN"
    assert blocked.changes == {"isBlocked": {"before": False, "after": True}}
    await client.post(f"/api/v1/admin/users/{account.user_id}/unblock", headers=admin.headers)
    unblocked = await only(app, "user.unblocked")
    assert unblocked.changes == {"isBlocked": {"before": True, "after": False}}


async def test_attempts_exhausted_once(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(7):
        await client.post("/api/v1/otp/verify", json={"phone": phone, "otp": wrong})
    entry = await only(app, "otp.attempts_exhausted")
    assert entry.details == {"phone": phone, "purpose": "auth"}


async def test_registration(client: httpx.AsyncClient, app: FastAPI, factory: Factory) -> None:
    registered = await factory.register_by_otp()
    entry = await only(app, "user.registered")
    assert str(entry.actor_id) == registered["user"]["id"]
    assert entry.details == {"method": "otp"}
    assert (await only(app, "auth.login.succeeded")).details == {"method": "otp"}


async def test_password_reset_and_change(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    await client.patch(
        "/api/v1/auth/password",
        headers=account.headers,
        json={"currentPassword": STRONG_PASSWORD, "newPassword": "Chang3d!Password"},
    )
    changed = await only(app, "auth.password.changed")
    assert changed.actor_id == account.id
    assert changed.changes == {"password": {"before": "[changed]", "after": "[changed]"}}

    await client.post("/api/v1/auth/forgot-password", json={"phone": account.phone})
    code = factory.last_code(account.phone)
    await client.post(
        "/api/v1/auth/reset-password",
        json={"phone": account.phone, "otp": code, "newPassword": "Res3t!Password"},
    )
    reset = await only(app, "auth.password.reset")
    assert reset.actor_id == account.id
    for entry in await entries(app):
        text = as_text(entry)
        for secret in (
            "Chang3d!Password",
            "Res3t!Password",
            STRONG_PASSWORD,
            code,
            account.refresh_token,
        ):
            assert secret not in text, entry.action


async def test_refresh_reuse_and_logout(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    account = await factory.customer()
    rotated = (
        await client.post(
            "/api/v1/auth/refresh-token", json={"refreshToken": account.refresh_token}
        )
    ).json()
    await client.post("/api/v1/auth/refresh-token", json={"refreshToken": account.refresh_token})
    reused = await only(app, "auth.refresh_token.reused")
    assert reused.actor_id == account.id
    assert reused.resource_type == "auth_session"

    other = await factory.customer()
    await client.post("/api/v1/auth/logout", json={"refreshToken": other.refresh_token})
    logout = await only(app, "auth.logout")
    assert logout.actor_id == other.id
    for entry in await entries(app):
        assert rotated["data"]["refreshToken"] not in as_text(entry)


async def test_settings_changes(client: httpx.AsyncClient, app: FastAPI, factory: Factory) -> None:
    admin = await factory.admin()
    await client.post(
        "/api/v1/admin/settings/free-days/default", json={"days": 14}, headers=admin.headers
    )
    entry = await only(app, "settings.free_days.updated")
    assert entry.actor_id == admin.id
    assert (entry.resource_type, entry.resource_id) == ("setting", "DEFAULT_FREE_DAYS")
    assert entry.changes == {"value": {"before": None, "after": "14"}}
    await client.post(
        "/api/v1/admin/settings/free-days/default", json={"days": 21}, headers=admin.headers
    )
    changes = [entry.changes for entry in await entries(app, "settings.free_days.updated")]
    assert {"value": {"before": "14", "after": "21"}} in changes

    plan = await create_plan(client, admin)
    await client.post(
        "/api/v1/admin/settings/training-plan/default",
        json={"planId": plan["id"]},
        headers=admin.headers,
    )
    default = await only(app, "settings.default_training_plan.updated")
    assert default.changes == {"value": {"before": None, "after": plan["id"]}}


async def test_subscription_changes(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    await client.post(
        "/api/v1/admin/settings/user/free-days",
        json={"userId": customer.user_id, "freeDays": 10},
        headers=admin.headers,
    )
    entry = await only(app, "subscription.free_days.updated")
    assert entry.changes == {"freeDays": {"before": 7, "after": 10}}
    assert entry.details == {"userId": customer.user_id}
    await client.post(
        f"/api/v1/admin/users/{customer.user_id}/subscription",
        json={"type": "paid", "days": 30},
        headers=admin.headers,
    )
    granted = await only(app, "subscription.paid.granted")
    assert granted.changes == {
        "type": {"before": None, "after": "paid"},
        "days": {"before": None, "after": 30},
    }


async def test_plan_changes(client: httpx.AsyncClient, app: FastAPI, factory: Factory) -> None:
    coach = await factory.coach()
    plan = await create_plan(client, coach)
    created = await only(app, "plan.created")
    assert created.actor_id == coach.id
    assert created.actor_roles == "COACH"
    assert created.changes is not None
    assert created.changes["name"] == {"before": None, "after": plan["name"]}
    assert created.changes["itemCount"] == {"before": None, "after": 2}

    await client.patch(
        f"/api/v1/plans/{plan['id']}", json={"name": "Renamed plan"}, headers=coach.headers
    )
    updated = await only(app, "plan.updated")
    assert updated.changes == {"name": {"before": plan["name"], "after": "Renamed plan"}}

    await client.delete(f"/api/v1/plans/{plan['id']}", headers=coach.headers)
    deleted = await only(app, "plan.deleted")
    assert deleted.changes is not None
    assert deleted.changes["name"] == {"before": "Renamed plan", "after": None}


async def test_one_entry_per_change(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    """Services record what they changed; the request-level fallback adds nothing then."""
    admin = await factory.admin()
    await client.post(
        "/api/v1/admin/settings/free-days/default", json={"days": 3}, headers=admin.headers
    )
    assert [entry.action for entry in await entries(app)] == ["settings.free_days.updated"]


async def test_reads_write_nothing(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    admin = await factory.admin()
    await client.get("/api/v1/auth/me", headers=admin.headers)
    await client.get("/api/v1/admin/settings", headers=admin.headers)
    assert await entries(app) == []
