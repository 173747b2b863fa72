"""A real `fitcoach serve` on PostgreSQL under a realistic mix for a bounded time: customers
reading their account, plans and the catalog, refreshing their tokens and signing in again by
OTP (fixed test numbers, FITCOACH_TEST_OTPS). No request may fail other than an intended 429
from a rate-limited route; p50, p95 and p99 are reported.

FITCOACH_LOAD_SECONDS sets the duration (20 s by default, as in CI); `make load` runs a few
minutes. Each virtual customer comes from its own address (X-Forwarded-For from a trusted
proxy), as real customers do, so the per-IP limits apply per customer."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.cli.test_serve import serving
from tests.conftest import REDIS_URL, TEST_JWT_SECRET
from tests.factories import Factory
from tests.plans.payloads import create_plan, set_default_plan

pytestmark = [pytest.mark.postgres_only, pytest.mark.load]
LOAD_SECONDS = float(os.environ.get("FITCOACH_LOAD_SECONDS", "20"))
VIRTUAL_CUSTOMERS = 16
TEST_OTP = "246810"
REQUEST_TIMEOUT_SECONDS = 10.0
# The routes whose 429 is the intended answer once a customer has used up their budget.
RATE_LIMITED = {"otp send", "otp login", "refresh"}


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def record(self, name: str, started: float, response: httpx.Response) -> None:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.answers[(name, response.status_code)] += 1
        intended = response.status_code == 429 and name in RATE_LIMITED
        if response.is_error and not intended:
            self.failures.append(f"{name}: {response.status_code} {response.text[:200]}")

    def percentiles(self) -> dict[str, float]:
        cuts = statistics.quantiles(self.latencies_ms, n=100, method="inclusive")
        return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


@dataclass
class Customer:
    """One virtual customer, with their own phone, address and current tokens."""

    http: httpx.AsyncClient
    tally: Tally
    phone: str
    address: str
    user_id: str = ""
    access_token: str = ""
    refresh_token: str = ""

    async def call(self, name: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"X-Forwarded-For": self.address}
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        started = time.perf_counter()
        try:
            response = await self.http.request(
                method, path, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS, **kwargs
            )
        except httpx.HTTPError as exc:
            self.tally.failures.append(f"{name}: {type(exc).__name__}")
            raise
        self.tally.record(name, started, response)
        return response

    def take_tokens(self, response: httpx.Response) -> None:
        if response.is_success:
            data = response.json()["data"]
            self.access_token = data["accessToken"]["token"]
            self.refresh_token = data["refreshToken"]

    async def sign_up(self) -> None:
        sent = await self.call(
            "otp send", "POST", "/api/v1/auth/otp/send", json={"phone": self.phone}
        )
        assert sent.status_code == 200, sent.text
        registered = await self.call(
            "otp register",
            "POST",
            "/api/v1/auth/otp/register",
            json={"phone": self.phone, "otp": TEST_OTP, "name": "Load Customer"},
        )
        assert registered.status_code == 201, registered.text
        self.user_id = registered.json()["data"]["user"]["id"]
        self.take_tokens(registered)

    async def me(self) -> None:
        await self.call("me", "GET", "/api/v1/auth/me")

    async def training_plan(self) -> None:
        await self.call("training plan", "GET", f"/api/v1/plans/training/{self.user_id}")

    async def diet_plan(self) -> None:
        await self.call("diet plan", "GET", f"/api/v1/plans/diet/{self.user_id}")

    async def catalog(self) -> None:
        await self.call("catalog", "GET", "/api/v1/catalog/products", params={"limit": 20})

    async def refresh(self) -> None:
        refreshed = await self.call(
            "refresh",
            "POST",
            "/api/v1/auth/refresh-token",
            json={"refreshToken": self.refresh_token},
        )
        self.take_tokens(refreshed)

    async def sign_in_by_otp(self) -> None:
        sent = await self.call(
            "otp send", "POST", "/api/v1/auth/otp/send", json={"phone": self.phone}
        )
        if sent.is_success:
            login = await self.call(
                "otp login",
                "POST",
                "/api/v1/auth/otp/login",
                json={"phone": self.phone, "otp": TEST_OTP},
            )
            self.take_tokens(login)

    def mix(self) -> list[tuple[Callable[[], Awaitable[None]], int]]:
        """What a customer does, and how often (weights)."""
        return [
            (self.me, 40),
            (self.training_plan, 15),
            (self.diet_plan, 15),
            (self.catalog, 15),
            (self.refresh, 10),
            (self.sign_in_by_otp, 5),
        ]

    async def run_until(self, deadline: float) -> None:
        actions, weights = zip(*self.mix(), strict=True)
        while time.monotonic() < deadline:
            await random.choices(actions, weights)[0]()


def _test_otps(customers: int) -> dict[str, str]:
    return {f"+2010990{n:05d}": TEST_OTP for n in range(customers)}


async def _seed_default_plans(http: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    for plan_type in ("training", "diet"):
        plan = await create_plan(http, admin, plan_type)
        await set_default_plan(http, admin, plan_type, plan["id"])


async def test_a_realistic_mix_runs_without_errors(
    app: FastAPI,
    factory: Factory,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `app` shares the database: its factory makes the seed's admin, its teardown empties it.
    phones = _test_otps(VIRTUAL_CUSTOMERS)
    settings = {
        "FITCOACH_DATABASE_URL": database_url,
        "FITCOACH_JWT_SECRET": TEST_JWT_SECRET,
        "FITCOACH_TEST_OTPS": ",".join(f"{phone}={code}" for phone, code in phones.items()),
        "FITCOACH_TRUSTED_PROXIES": "127.0.0.1",
        "FITCOACH_ACCESS_LOG": "false",
        **({"FITCOACH_REDIS_URL": REDIS_URL} if REDIS_URL else {}),
        "FITCOACH_RATE_LIMIT_KEY_PREFIX": f"fitcoach-load-{random.getrandbits(48):x}",
    }
    async with serving(tmp_path, **settings) as served:
        await _seed_default_plans(served.http, factory)
        tally = Tally()
        customers = [
            Customer(served.http, tally, phone, f"198.18.{n // 250}.{n % 250 + 1}")
            for n, phone in enumerate(phones)
        ]
        await asyncio.gather(*(customer.sign_up() for customer in customers))
        started = time.monotonic()
        await asyncio.gather(*(c.run_until(started + LOAD_SECONDS) for c in customers))
        elapsed = time.monotonic() - started

    assert not tally.failures, Counter(tally.failures).most_common(10)
    exercised = {name for name, _ in tally.answers}
    assert exercised >= {"me", "training plan", "diet plan", "catalog", "refresh", "otp login"}
    latency = tally.percentiles()
    with capsys.disabled():
        print(
            f"\nload: {len(tally.latencies_ms)} requests in {elapsed:.1f} s "
            f"({len(tally.latencies_ms) / elapsed:.0f}/s) from {VIRTUAL_CUSTOMERS} customers; "
            + ", ".join(f"{name} {value:.1f} ms" for name, value in latency.items())
            + f"; intended 429s: {sum(n for (_, s), n in tally.answers.items() if s == 429)}"
        )
