"""What the in-process and the live fuzz runs share: the OpenAPI document the app serves, how
many cases each operation gets, the checks, and the callers whose tokens the cases carry."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio.from_thread
import httpx
import hypothesis
import schemathesis
from fastapi import FastAPI
from schemathesis import AuthContext, Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from fitcoach.app import create_app
from fitcoach.config import Settings
from tests.conftest import _empty_tables, make_settings
from tests.factories import Account, Factory
from tests.standalone import standalone_app

# `make fuzz-deep` sets these; CI runs the defaults.
EXAMPLES_ENV = "FITCOACH_FUZZ_EXAMPLES"
LIVE_EXAMPLES_ENV = "FITCOACH_FUZZ_LIVE_EXAMPLES"
CI_EXAMPLES = 100
# A second pass over real HTTP, after the 100 in-process cases of each operation: fewer suffice,
# and CI has a 15-minute budget.
CI_LIVE_EXAMPLES = 10

# Every built-in check runs with its defaults but one: a schema-valid request may get 422. The
# schema cannot say everything the app checks: that a phone number is possible in its numbering
# plan, cross-field rules (priceMin <= priceMax, code or recoveryCode), that a sign-in provider is
# configured. 422 is this API's answer to exactly those, so positive data acceptance still fails
# on any other rejection of schema-valid data (400, 405, 415, ...).
CHECKS_CONFIG = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
    }
}


def fuzz_settings(examples_variable: str, ci_examples: int) -> hypothesis.settings:
    """CI's amount is derandomized, so a green run stays green and a red one is reproducible;
    a deep run (the variable set) draws new cases every time and prints how to reproduce a
    failure. Health checks would fail operations whose valid data is slow to generate, which
    says nothing about the app."""
    deep = examples_variable in os.environ
    return hypothesis.settings(
        max_examples=int(os.environ[examples_variable]) if deep else ci_examples,
        derandomize=not deep,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=True,
    )


def fuzz_app_settings(database_url: str, data_dir: Path) -> Settings:
    # Rate limits would turn most of a few hundred requests per operation into 429s.
    return make_settings(database_url, data_dir, rate_limit_enabled=False)


def load_document_schema() -> OpenApiSchema:
    """The schema as the app serves it at /openapi.json, with the checks configured and the
    callers' tokens applied. The app that serves it never opens its database: the document
    does not depend on one. Point the schema at the app or server to fuzz before using it."""
    settings = make_settings("sqlite+aiosqlite:///unused-by-the-openapi-route.db", Path("data"))
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json",
        create_app(settings),
        config=schemathesis.Config.from_dict({"checks": CHECKS_CONFIG}),
    )
    # Without caching, each case asks for its own caller.
    schema.auth(refresh_interval=None)(CallerTokens)
    return schema


ROLES = ("customer", "coach", "admin")
_ROLE_PLACEHOLDER = "Bearer role:"


class CallerTokens:
    """Schemathesis auth provider. Being one, it stays off the cases that leave the token out on
    purpose (negative cases), and it makes the ignored-auth check probe every secured operation
    without a token and with a wrong one. Schemathesis builds some cases while collecting the
    tests, before any account exists, so it names a role here and `Callers.authorize` puts in
    that role's token before the case is sent. The role is a function of the case, so hypothesis
    replays and shrinks a failure with the same caller, and the cases of an operation spread
    over every role."""

    def get(self, case: Case, context: AuthContext) -> str:
        return ROLES[zlib.crc32(repr(case).encode()) % len(ROLES)]

    def set(self, case: Case, role: str, context: AuthContext) -> None:
        case.headers["Authorization"] = _ROLE_PLACEHOLDER + role


@dataclass(frozen=True)
class Callers:
    """One signed-in account per role, with the coach assigned to the customer."""

    customer: Account
    coach: Account
    admin: Account

    def authorize(self, case: Case) -> None:
        header = case.headers.get("Authorization") if case.headers else None
        if header is not None and header.startswith(_ROLE_PLACEHOLDER):
            account: Account = getattr(self, header.removeprefix(_ROLE_PLACEHOLDER))
            case.headers["Authorization"] = f"Bearer {account.access_token}"


class Database:
    """The fuzzed database, written from outside the fuzzed app or server: schemathesis drives
    an in-process app on an event loop of its own, so the accounts are made, and the tables
    emptied, by a second app on the same database that lives on this portal's loop."""

    def __init__(
        self, portal: anyio.from_thread.BlockingPortal, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        self.portal = portal
        self.factory = Factory(app, client)

    def sign_in_callers(self) -> Callers:
        return self.portal.call(_sign_in_callers, self.factory)

    def empty(self) -> None:
        self.portal.call(_empty_tables, self.factory.app)


@contextmanager
def database_beside(settings: Settings) -> Iterator[Database]:
    """The database of `settings`, reached by an app of its own."""
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(standalone_app(settings)) as (app, client),
    ):
        yield Database(portal, app, client)


async def _sign_in_callers(factory: Factory) -> Callers:
    # Hashing a password costs more than the rest of the setup. The customer has one, so the
    # password change gets past "no password set"; staff need none.
    customer = await factory.customer()
    coach = await factory.coach(password=None)
    await factory.assign_coach(coach, customer)
    await factory.first_questionnaire()
    return Callers(customer=customer, coach=coach, admin=await factory.admin(password=None))
