"""The scenarios: what wrk sends, to which server, with which data, and the one-request probe
that checks the answer is the real thing (a 200 with the expected content) before anything is
measured, so an error page is never benchmarked by mistake.

A scenario whose endpoint the running fitcoach does not have (per its OpenAPI document) is
reported as "not available yet"; adding one is a new entry in `SCENARIOS`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from harness.seed import PASSWORD, SeedData, write_lines
from harness.sessions import CALENDAR_SIZES, SESSIONS, calendar_path
from harness.threads import (
    MESSAGES,
    PAGE_SIZE,
    THREAD_SIZES,
    THREADS,
    THREADS_PATH,
    message_body,
)
from harness.training import COMPLETION, TODAY, completion_body
from harness.wearables import (
    DELIVERIES,
    DELIVERIES_PER_RUN,
    WEARABLE_WEBHOOK,
    delivery,
    delivery_lines,
)

API = "/api/v1"
ME = f"{API}/auth/me"
TRAINING = f"{API}/plans/training/{{userId}}"
DIET = f"{API}/plans/diet/{{userId}}"
LOGIN = f"{API}/auth/login"
OTP_SEND = f"{API}/auth/otp/send"
OTP_LOGIN = f"{API}/auth/otp/login"
REFRESH = f"{API}/auth/refresh-token"
ORDERS = f"{API}/orders"
# The product a checkout buys: the first published one.
PUBLISHED = f"{API}/catalog/products?pageSize=1"
PROFILE = f"{API}/customers/{{userId}}/profile"
# A customer narrowing the shop: one goal, a price range (minor units), best rated first.
CATALOG = f"{API}/catalog/products?goal=build_muscle&priceMin=5000&priceMax=30000&sort=rating"

# A mobile app's day. Every screen opens with a signed-in read: the home screen asks /auth/me
# (subscription state), the workout tab the training plan, the nutrition tab the diet plan, the
# shop tab the catalog now and then. The access token lives 15 minutes, so a session refreshes
# every few screens; a password sign-in is rare (refresh tokens last 30 days). mixed.lua holds
# the paths of these kinds.
MIXED_WEIGHTS = {"me": 54, "training": 24, "diet": 12, "catalog": 4, "refresh": 5, "login": 1}

# Each thread of the rate-limited OTP cycle numbers its client addresses from
# slot × this + thread × 1,000,000 (otp_cycle.lua), so no address repeats within the run.
FORWARDED_SLOT = 2_000_000


class ProbeFailed(Exception):
    pass


@dataclass(frozen=True)
class LoadFiles:
    """The data files the Lua scripts read, written once the seed is in."""

    directory: Path
    tokens_all: Path
    tokens_free: Path
    tokens_paid: Path
    admin_token: Path
    login_phones: Path
    qa_numbers: Path
    refresh_slots: list[Path]
    completions: Path
    calendar_coaches: dict[int, Path]
    inbox_coaches: dict[int, Path]
    # "accessToken body": the signed-in customers, each messaging their coach.
    message_senders: Path
    # "customerId credential": the same profile reads with the partner's API key, and with the
    # admin's access token (an API key reads as the business does).
    profiles_by_api_key: Path
    profiles_by_jwt: Path
    wearable_deliveries: Path


def write_load_files(seed: SeedData, directory: Path) -> LoadFiles:
    def tokens(name: str, users: list[tuple[str, str]]) -> Path:
        return write_lines(directory / name, [f"{user} {token}" for user, token in users])

    free = [(u.user_id, u.token) for u in seed.free_users]
    paid = [(u.user_id, u.token) for u in seed.paid_users]
    # Interleaved, so every thread's share holds free and paid users alike.
    both = [user for pair in zip(free, paid, strict=True) for user in pair]
    return LoadFiles(
        directory=directory,
        tokens_all=tokens("tokens-all.txt", both),
        tokens_free=tokens("tokens-free.txt", free),
        tokens_paid=tokens("tokens-paid.txt", paid),
        admin_token=tokens("token-admin.txt", [(seed.admin.user_id, seed.admin.token)]),
        login_phones=write_lines(directory / "login-phones.txt", seed.login_phones),
        qa_numbers=write_lines(directory / "qa-numbers.txt", [f"{p} {c}" for p, c in seed.load_qa]),
        refresh_slots=[
            write_lines(directory / f"refresh-{slot}.txt", tokens)
            for slot, tokens in enumerate(seed.refresh_slots)
        ],
        completions=write_lines(
            directory / "completions.txt", [one.line() for one in seed.completions]
        ),
        calendar_coaches={
            size: tokens(f"token-coach-{size}.txt", [(coach.user_id, coach.token)])
            for size, coach in seed.calendar_coaches.items()
        },
        inbox_coaches={
            size: tokens(f"token-inbox-{size}.txt", [(coach.user_id, coach.token)])
            for size, coach in seed.inbox_coaches.items()
        },
        message_senders=write_lines(
            directory / "message-senders.txt",
            [f"{token} {message_body(seed.messaged_coach.user_id)}" for _, token in both],
        ),
        profiles_by_api_key=write_lines(
            directory / "profiles-api-key.txt", [f"{user} {seed.api_key}" for user, _ in both]
        ),
        profiles_by_jwt=write_lines(
            directory / "profiles-jwt.txt", [f"{user} {seed.admin.token}" for user, _ in both]
        ),
        wearable_deliveries=write_lines(
            directory / "wearable-deliveries.txt", delivery_lines(seed.wearable_users)
        ),
    )


@dataclass(frozen=True)
class Context:
    seed: SeedData
    files: LoadFiles


ArgsFor = Callable[[Context, int], list[str]]  # (context, slot: 0 warm-up, 1.. runs) -> args
Probe = Callable[[httpx.Client, Context], None]


@dataclass(frozen=True)
class Scenario:
    key: str  # stable: the baseline compares by it
    title: str
    server: str  # "starlette", "fastapi", "fitcoach", "fitcoach-rl" or "fitcoach-granian"
    script: str
    args: ArgsFor
    url_path: str = "/"
    needs: tuple[str, ...] = ()  # "METHOD /path" in fitcoach's OpenAPI document
    probe: Probe | None = None

    @property
    def is_ceiling(self) -> bool:
        return self.server in ("starlette", "fastapi")


# Probes ---------------------------------------------------------------------------------------


def _expect(response: httpx.Response, status: int = 200) -> dict[str, object]:
    if response.status_code != status:
        request = response.request
        raise ProbeFailed(
            f"{request.method} {request.url.path} answered {response.status_code}: "
            f"{response.text[:300]}"
        )
    body: dict[str, object] = response.json()
    return body


def _data(response: httpx.Response) -> dict[str, object]:
    data = _expect(response).get("data")
    if not isinstance(data, dict):
        raise ProbeFailed(f"{response.request.url.path}: no data in {response.text[:300]}")
    return data


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _probe_me(client: httpx.Client, context: Context) -> None:
    user = context.seed.paid_users[0]
    data = _data(client.get(ME, headers=_bearer(user.token)))
    if data.get("user", {}).get("id") != user.user_id:  # type: ignore[attr-defined]
        raise ProbeFailed(f"/auth/me answered for another user: {data}")


def _probe_wearable_webhook(client: httpx.Client, context: Context) -> None:
    """A delivery of its own (numbered past the load's), answered 202 and queued."""
    webhook_id, stamp, signature, body = delivery(
        context.seed.wearable_users[0], DELIVERIES, datetime.now(UTC)
    )
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": signature,
        "Wearable-Provider": "partner",
        "Content-Type": "application/json",
    }
    response = client.post(WEARABLE_WEBHOOK, content=body, headers=headers)
    if response.status_code != 202:
        raise ProbeFailed(f"{WEARABLE_WEBHOOK}: {response.status_code} {response.text[:300]}")


def _inbox_probe(size: int) -> Probe:
    def probe(client: httpx.Client, context: Context) -> None:
        coach = context.seed.inbox_coaches[size]
        data = _data(client.get(THREADS_PATH, headers=_bearer(coach.token)))
        items, pagination = data.get("items"), data.get("pagination")
        if not isinstance(items, list) or len(items) != min(size, PAGE_SIZE):
            raise ProbeFailed(f"{THREADS_PATH}: {size} threads seeded, the page has {items}")
        if not isinstance(pagination, dict) or pagination.get("total") is None:
            raise ProbeFailed(f"{THREADS_PATH}: no pagination in {data}")

    return probe


def _probe_message(client: httpx.Client, context: Context) -> None:
    sender = context.seed.paid_users[0]
    response = client.post(
        MESSAGES,
        content=message_body(context.seed.messaged_coach.user_id),
        headers={**_bearer(sender.token), "Content-Type": "application/json"},
    )
    if response.status_code != 201:
        raise ProbeFailed(f"POST {MESSAGES} answered {response.status_code}: {response.text[:300]}")


def _profile_probe(credential: Callable[[Context], str]) -> Probe:
    def probe(client: httpx.Client, context: Context) -> None:
        user = context.seed.paid_users[0]
        path = PROFILE.replace("{userId}", user.user_id)
        data = _data(client.get(path, headers=_bearer(credential(context))))
        if data.get("customerId") != user.user_id:
            raise ProbeFailed(f"{path} answered for another customer: {data}")

    return probe


def _plan_probe(source: str, paid: bool) -> Probe:
    def probe(client: httpx.Client, context: Context) -> None:
        user = (context.seed.paid_users if paid else context.seed.free_users)[0]
        path = TRAINING.replace("{userId}", user.user_id)
        data = _data(client.get(path, headers=_bearer(user.token)))
        if data.get("source") != source:
            raise ProbeFailed(f"{path}: expected the {source} plan, got {str(data)[:200]}")

    return probe


def _probe_catalog(client: httpx.Client, context: Context) -> None:
    data = _data(client.get(CATALOG, headers=_bearer(context.seed.free_users[0].token)))
    if not data.get("items"):
        raise ProbeFailed(f"the filtered catalog page is empty: {str(data)[:200]}")


def _probe_login(client: httpx.Client, context: Context) -> None:
    phone = context.seed.login_phones[0]
    _data(client.post(LOGIN, json={"provider": phone, "password": PASSWORD}))


def _otp_probe(forwarded: bool) -> Probe:
    def probe(client: httpx.Client, context: Context) -> None:
        phone, code = context.seed.probe_qa
        headers = {"X-Forwarded-For": "192.0.2.1"} if forwarded else {}
        sent = client.post(OTP_SEND, json={"phone": phone}, headers=headers)
        _expect(sent)
        if forwarded and "ratelimit-limit" not in sent.headers:
            raise ProbeFailed("rate limits are meant to be on, but no RateLimit headers came")
        _data(client.post(OTP_LOGIN, json={"phone": phone, "otp": code}, headers=headers))

    return probe


def _probe_today(client: httpx.Client, context: Context) -> None:
    data = _data(client.get(TODAY, headers=_bearer(context.seed.paid_users[0].token)))
    if not data.get("items") or data.get("restDay"):
        raise ProbeFailed(f"today is not a scheduled day: {str(data)[:200]}")


def _probe_completion(client: httpx.Client, context: Context) -> None:
    """One item marked done and undone again: the load starts from the seeded state."""
    one = context.seed.completions[0]
    path = COMPLETION.replace("{planId}", one.plan_id).replace("{itemId}", one.item_ids[0])
    for status in ("completed", "pending"):
        data = _data(client.patch(path, json=completion_body(status), headers=_bearer(one.token)))
        if data.get("status") != status:
            raise ProbeFailed(f"{path}: expected {status}, got {str(data)[:200]}")


def _probe_checkout(client: httpx.Client, context: Context) -> None:
    """One checkout on the sandbox: an order placed, then paid."""
    user = context.seed.free_users[0]
    headers = _bearer(user.token)
    products = _data(client.get(PUBLISHED, headers=headers)).get("items")
    if not isinstance(products, list) or not products:
        raise ProbeFailed("no published product to buy")
    placed = client.post(
        ORDERS,
        json={"productId": products[0]["id"]},
        headers={**headers, "Idempotency-Key": f"probe-{uuid.uuid4().hex}"},
    )
    order_id = _expect(placed, 201)["data"]["order"]["id"]  # type: ignore[index]
    paid = _data(
        client.post(
            f"{ORDERS}/{order_id}/confirm",
            json={"paymentMethodId": "pm_card_visa"},
            headers={**headers, "Idempotency-Key": f"probe-{uuid.uuid4().hex}"},
        )
    )
    if paid.get("order", {}).get("status") != "paid":  # type: ignore[attr-defined]
        raise ProbeFailed(f"the checkout did not pay: {str(paid)[:200]}")


def _calendar_probe(size: int) -> Probe:
    def probe(client: httpx.Client, context: Context) -> None:
        coach = context.seed.calendar_coaches[size]
        data = _data(client.get(calendar_path(), headers=_bearer(coach.token)))
        total = data.get("pagination", {}).get("total")  # type: ignore[attr-defined]
        if total != size or not data.get("items"):
            raise ProbeFailed(f"the coach's month holds {total} sessions, not {size}")

    return probe


def _probe_mixed(client: httpx.Client, context: Context) -> None:
    """Every kind of request the mix sends."""
    _probe_me(client, context)
    _plan_probe("default", paid=False)(client, context)
    _plan_probe("custom", paid=True)(client, context)
    _probe_login(client, context)
    _probe_catalog(client, context)
    _data(client.post(REFRESH, json={"refreshToken": context.seed.probe_refresh[0]}))
    user = context.seed.free_users[0]
    _data(client.get(DIET.replace("{userId}", user.user_id), headers=_bearer(user.token)))


# Scenarios ------------------------------------------------------------------------------------


def _tokens(attribute: str, path: str) -> ArgsFor:
    return lambda context, slot: [str(getattr(context.files, attribute)), path]


def _otp_args(forwarded: bool) -> ArgsFor:
    def args(context: Context, slot: int) -> list[str]:
        base = str(slot * FORWARDED_SLOT) if forwarded else "-"
        return [OTP_SEND, OTP_LOGIN, str(context.files.qa_numbers), base]

    return args


def _mixed_args(context: Context, slot: int) -> list[str]:
    weights = ",".join(f"{kind}={weight}" for kind, weight in MIXED_WEIGHTS.items())
    files = context.files
    return [
        str(files.tokens_all),
        str(files.refresh_slots[slot]),
        str(files.login_phones),
        PASSWORD,
        CATALOG,
        weights,
    ]


def _calendar_args(size: int) -> ArgsFor:
    # The path is made when the run starts: the month from today, holding every seeded session.
    return lambda context, slot: [str(context.files.calendar_coaches[size]), calendar_path()]


SCENARIOS = (
    Scenario(
        "starlette",
        "ceiling: bare Starlette JSON",
        "starlette",
        "get.lua",
        lambda context, slot: [],
        url_path="/ceiling",
    ),
    Scenario(
        "fastapi",
        "ceiling: bare FastAPI, Pydantic model",
        "fastapi",
        "get.lua",
        lambda context, slot: [],
        url_path="/ceiling",
    ),
    Scenario(
        "auth_me",
        "GET /auth/me",
        "fitcoach",
        "token_get.lua",
        _tokens("tokens_all", ME),
        needs=(f"GET {ME}",),
        probe=_probe_me,
    ),
    Scenario(
        "plans_training_free",
        "GET /plans/training/{userId}, free user",
        "fitcoach",
        "token_get.lua",
        _tokens("tokens_free", TRAINING),
        needs=(f"GET {TRAINING}",),
        probe=_plan_probe("default", paid=False),
    ),
    Scenario(
        "plans_training_paid",
        "GET /plans/training/{userId}, paid user",
        "fitcoach",
        "token_get.lua",
        _tokens("tokens_paid", TRAINING),
        needs=(f"GET {TRAINING}",),
        probe=_plan_probe("custom", paid=True),
    ),
    Scenario(
        "catalog_products",
        "GET /catalog/products with filters",
        "fitcoach",
        "token_get.lua",
        _tokens("tokens_all", CATALOG),
        needs=(f"GET {CATALOG.split('?')[0]}",),
        probe=_probe_catalog,
    ),
    Scenario(
        "login_password",
        "POST /auth/login, password (argon2)",
        "fitcoach",
        "login.lua",
        lambda context, slot: [LOGIN, str(context.files.login_phones), PASSWORD],
        needs=(f"POST {LOGIN}",),
        probe=_probe_login,
    ),
    Scenario(
        "otp_cycle",
        "OTP cycle: /auth/otp/send + /otp/login",
        "fitcoach",
        "otp_cycle.lua",
        _otp_args(forwarded=False),
        needs=(f"POST {OTP_SEND}", f"POST {OTP_LOGIN}"),
        probe=_otp_probe(forwarded=False),
    ),
    Scenario(
        "plans_today",
        "GET /plans/today",
        "fitcoach",
        "token_get.lua",
        _tokens("tokens_all", TODAY),
        needs=(f"GET {TODAY}",),
        probe=_probe_today,
    ),
    Scenario(
        "completion",
        "PATCH /plans/{planId}/items/{itemId}, done then undone",
        "fitcoach",
        "completion.lua",
        lambda context, slot: [str(context.files.completions), COMPLETION, TODAY],
        needs=(f"PATCH {COMPLETION}",),
        probe=_probe_completion,
    ),
    Scenario(
        "mixed",
        "mixed: a mobile app's day",
        "fitcoach",
        "mixed.lua",
        _mixed_args,
        needs=(
            f"GET {ME}",
            f"GET {TRAINING}",
            f"GET {DIET}",
            f"GET {CATALOG}",
            f"POST {REFRESH}",
            f"POST {LOGIN}",
        ),
        probe=_probe_mixed,
    ),
    *(
        Scenario(
            f"sessions_calendar_{size}",
            f"GET /sessions, a coach's month of {size:,} sessions",
            "fitcoach",
            "token_get.lua",
            _calendar_args(size),
            needs=(f"GET {SESSIONS}",),
            probe=_calendar_probe(size),
        )
        for size in CALENDAR_SIZES
    ),
    *(
        Scenario(
            f"threads_list_{size}",
            f"GET /threads, a coach's inbox of {size:,} threads",
            "fitcoach",
            "token_get.lua",
            lambda context, slot, size=size: [  # type: ignore[misc]
                str(context.files.inbox_coaches[size]),
                THREADS_PATH,
            ],
            needs=(f"GET {THREADS}",),
            probe=_inbox_probe(size),
        )
        for size in THREAD_SIZES
    ),
    Scenario(
        "messages_send",
        "POST /messages, customers to their coach",
        "fitcoach",
        "message_send.lua",
        lambda context, slot: [str(context.files.message_senders), MESSAGES],
        needs=(f"POST {MESSAGES}",),
        probe=_probe_message,
    ),
    Scenario(
        "checkout",
        "checkout: POST /orders + /orders/{orderId}/confirm (sandbox)",
        "fitcoach",
        "checkout.lua",
        lambda context, slot: [str(context.files.tokens_all), PUBLISHED, ORDERS],
        needs=(f"POST {ORDERS}", f"POST {ORDERS}/{{orderId}}/confirm"),
        probe=_probe_checkout,
    ),
    Scenario(
        "wearable_webhook",
        "POST /integrations/wearables/webhook, signed partner delivery (verify + queue)",
        "fitcoach",
        "wearable_webhook.lua",
        lambda context, slot: [
            str(context.files.wearable_deliveries),
            WEARABLE_WEBHOOK,
            str(slot * DELIVERIES_PER_RUN),
        ],
        needs=(f"POST {WEARABLE_WEBHOOK}",),
        probe=_probe_wearable_webhook,
    ),
    Scenario(
        "profile_api_key",
        "GET /customers/{customerId}/profile, API key",
        "fitcoach",
        "token_get.lua",
        _tokens("profiles_by_api_key", PROFILE),
        needs=(f"GET {PROFILE}",),
        probe=_profile_probe(lambda context: context.seed.api_key),
    ),
    Scenario(
        "profile_jwt",
        "GET /customers/{customerId}/profile, admin JWT",
        "fitcoach",
        "token_get.lua",
        _tokens("profiles_by_jwt", PROFILE),
        needs=(f"GET {PROFILE}",),
        probe=_profile_probe(lambda context: context.seed.admin.token),
    ),
    Scenario(
        "otp_cycle_rate_limited",
        "OTP cycle, rate limits on (Redis)",
        "fitcoach-rl",
        "otp_cycle.lua",
        _otp_args(forwarded=True),
        needs=(f"POST {OTP_SEND}", f"POST {OTP_LOGIN}"),
        probe=_otp_probe(forwarded=True),
    ),
)

# Issue 16's scenarios again under the other server, in the same run as the ceilings, for
# `fitcoach serve --server`'s default (README): throughput and p99 side by side.
GRANIAN_SCENARIOS = tuple(
    replace(
        scenario,
        key=f"{scenario.key}_granian",
        title=f"{scenario.title}, granian",
        server="fitcoach-granian",
    )
    for scenario in SCENARIOS
    if scenario.key
    in (
        "auth_me",
        "plans_training_free",
        "plans_training_paid",
        "catalog_products",
        "login_password",
        "otp_cycle",
    )
)
SCENARIOS = SCENARIOS + GRANIAN_SCENARIOS


def route_key(method_and_path: str) -> str:
    """ "GET /api/v1/plans/training/{userId}" and the OpenAPI's "{user_id}" compare equal."""
    method, path = method_and_path.split(" ", 1)
    parts = ["{}" if part.startswith("{") else part for part in path.split("?")[0].split("/")]
    return f"{method.upper()} {'/'.join(parts)}"


def openapi_routes(document: dict[str, object]) -> set[str]:
    paths = document.get("paths", {})
    assert isinstance(paths, dict)
    return {
        route_key(f"{method} {path}")
        for path, operations in paths.items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def missing_routes(needs: tuple[str, ...], routes: set[str]) -> list[str]:
    return [need for need in needs if route_key(need) not in routes]
