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
from tests.conftest import DOCUMENT_ONLY_DATABASE_URL, _empty_tables, make_settings
from tests.factories import Account, Factory
from tests.standalone import standalone_app

# `make fuzz-deep` sets these; CI runs the defaults.
EXAMPLES_ENV = "FITCOACH_FUZZ_EXAMPLES"
LIVE_EXAMPLES_ENV = "FITCOACH_FUZZ_LIVE_EXAMPLES"
# 50 cases per operation in-process: the product has about 250 operations now, and CI runs the
# pass on both databases within its time budget; `make fuzz-deep` goes further.
CI_EXAMPLES = 50
# A second pass over real HTTP, after the in-process cases of each operation: fewer suffice.
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


# The positive-data pass: only schema-valid requests, and every rejection other than "not you"
# (401/403), "not found" (ids drawn at random), "conflicts with the state" and rate limits is a
# rule the schema failed to state. Fewer cases per operation: the generic pass covers volume.
POSITIVE_EXAMPLES_ENV = "FITCOACH_FUZZ_POSITIVE_EXAMPLES"
CI_POSITIVE_EXAMPLES = 25
_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
# The operations whose remaining rules JSON Schema cannot state, and why. Each may also answer
# 400 and 422 to schema-valid data; every other operation may not.
RULES_BEYOND_THE_SCHEMA = {
    # A phone number must be possible in its country's numbering plan (libphonenumber); a
    # wrong or expired code is 400; a social sign-in provider may be unconfigured (422).
    "sendLoginOtp": "phone plan",
    "loginWithOtp": "phone plan, wrong code",
    "registerWithOtp": "phone plan, wrong code",
    "forgotPassword": "phone plan",
    "resetPassword": "phone plan, wrong code",
    "sendOtp": "phone plan",
    "verifyOtp": "phone plan, wrong code",
    "login": "phone plan or email rules, provider configured",
    "register": "phone plan or email rules, provider configured",
    "createUser": "phone plan or email rules",
    # email-validator's rules (special-use domains, quoted local parts); a wrong code is 400.
    "verifyEmail": "email rules, wrong code",
    "sendEmailCode": "email rules",
    # Comparisons between two values: JSON Schema states a field's own bounds, a type's
    # fields (oneOf), never that one value is below another, nor items distinct by one key.
    "listProducts": "priceMin <= priceMax",
    "listAuditLogs": "dateRange FROM before TO",
    "createQuestionnaire": "an integer preference's min <= max; keys distinct across items",
    "setSubscriptionPolicy": "minPauseDays <= maxPauseDays",
    # Rules that depend on the stored state or the caller.
    "updateProfile": "preferences answer the current questionnaire",
    "submitIntake": "answers name the current questionnaire's questions",
    "createProduct": "an admin names the leading coach (coachId)",
    # An action's own fields (a pause's days and date), and dates in the customer's calendar
    # measured against today, the period and the business's pause policy.
    "changeSubscription": "each action's fields; dates within the period and the pause policy",
    # An add-on's name is trimmed before its length is checked; a name of only whitespace the
    # schema's one pattern (no NUL) cannot also refuse.
    "updateProduct": "add-on names are not blank once trimmed",
    # The zone names are the host's tz database: data that changes with each tzdata release,
    # not a contract to freeze as an enum of ~600 names into every generated client.
    "updateNotificationPreferences": "timeZone is in the host's IANA tz database",
    # Training: the IANA zone (above), metrics per stored habit or item type, a day that is
    # scheduled and not in the future, an alternative that fits the customer.
    "plansToday": "timezone is in the host's IANA tz database",
    "setTimezone": "timezone is in the host's IANA tz database",
    "logOwnHabit": "metrics follow the habit's kind; the day is not in the future",
    "logItem": "metrics follow the item's type; the day is scheduled and not in the future",
    "substitute": "the alternative is one of the item's, safe and fits the equipment",
    # Wearables: a provider connects only if this server has its OAuth client; a connection's
    # state must come from this customer's own authorize, and the provider must accept the code.
    "authorizeWearable": "the provider's OAuth client is configured",
    "connectWearable": "the state is this customer's and fresh; the provider accepts the code",
    # Automations: the rule names the catalog's events, fields, operators and actions, with
    # values of each field's type (automations/language.py).
    "createAutomation": "the rule follows the catalog",
    "updateAutomation": "the rule follows the catalog",
    # Commerce: a promo code is a percentage or an amount with its currency; validFrom before
    # validTo.
    "createPromoCode": "exactly one of percentOff and amountOff (with currency); the window",
    "updatePromoCode": "validFrom before validTo",
    # Messaging: text or a file; files are the caller's scanned uploads; a recipient of the
    # thread named.
    "sendMessage": "a body or attachments; attachments are scanned uploads; recipient in thread",
    "createPost": "attachments are the caller's scanned, unused uploads",
    "createComment": "the community's word and link filter",
    "openTicket": "attachments are the caller's scanned, unused uploads",
    "replyToTicket": "attachments are the caller's scanned, unused uploads",
    # Support: the IANA zone (above) and each worked day's end after its start; a resolution
    # budget not below its first-response budget.
    "setSupportPolicy": "timeZone in the tz database; end after start; resolution >= response",
    # Scheduling: the IANA zone, times in the future and in order, capacity per type.
    "createSession": "timezone in the tz database, endTime after a future startTime, capacity",
    "bookSession": "the session has not started",
    "adjustEntitlements": "a grant has its period; a take-back has sessions to take",
    "listSessions": "timezone in the tz database, end after start within 92 days",
    "changeSession": "newTime exactly for rescheduled; the session's state allows the change",
    "setAvailability": "timezone in the tz database",
    "listSlots": "timezone in the tz database, to after from within 31 days",
    "calendarFeed": "a token only the server issued",
    # Analytics: a range or from/to, from before to within 731 days; server-issued tokens.
    "progress": "range or from/to, to after from within 731 days",
    "drilldown": "a token only the server issued",
    "financeReport": "to after from within 731 days",
    "requestFinanceExport": "to after from within 731 days",
}
# An upload's type is read from its bytes (415 unless an image, PDF, audio or video), which no
# schema states; its size limit is a setting (413).
UPLOAD_STATUSES = ["413", "415", "422"]
POSITIVE_CONFIG = {
    "generation": {"mode": "positive"},
    "phases": {"coverage": {"enabled": False}},
    "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED}},
    "operations": [
        {
            "include-operation-id": sorted(RULES_BEYOND_THE_SCHEMA),
            "checks": {
                "positive_data_acceptance": {"expected-statuses": [*_ACCEPTED, "400", "422"]}
            },
        },
        {
            "include-operation-id": ["uploadAttachment"],
            "checks": {
                "positive_data_acceptance": {"expected-statuses": [*_ACCEPTED, *UPLOAD_STATUSES]}
            },
        },
    ],
}


GENERIC_CONFIG = {
    "checks": CHECKS_CONFIG,
    # Their codes are schema-valid now (6 digits): a wrong one is 400, as the spec says.
    "operations": [
        {
            "include-operation-id": sorted(RULES_BEYOND_THE_SCHEMA),
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [
                        *CHECKS_CONFIG["positive_data_acceptance"]["expected-statuses"],
                        "400",
                    ]
                }
            },
        },
        {
            "include-operation-id": ["uploadAttachment"],
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [
                        *CHECKS_CONFIG["positive_data_acceptance"]["expected-statuses"],
                        *UPLOAD_STATUSES,
                    ]
                }
            },
        },
    ],
}
# The live pass's worth is the production path (real sockets, HTTP parsing, the server's error
# handling), not more cases: the coverage phase's boundary cases are the generic pass's, and
# building them at collection would cost every test process most of a minute.
LIVE_CONFIG = {**GENERIC_CONFIG, "phases": {"coverage": {"enabled": False}}}


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


def load_document_schema(config: dict[str, object] | None = None) -> OpenApiSchema:
    """The schema as the app serves it at /openapi.json, with the checks configured (by default
    the generic pass's) and the callers' tokens applied. The app that serves it never opens its
    database: the document does not depend on one. Point the schema at the app or server to
    fuzz before using it."""
    settings = make_settings(DOCUMENT_ONLY_DATABASE_URL, Path("data"))
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json",
        create_app(settings),
        config=schemathesis.Config.from_dict(config or GENERIC_CONFIG),
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
