"""Realistic data for the run, inserted with COPY: thousands of customers with subscriptions,
template and custom plans, sign-in history, and the accounts, tokens and numbers the scenarios
use. Rows are built in Python and copied in one round trip per table, which takes seconds where
going through the services would take minutes (argon2 alone would be ~30 ms a user).

Access tokens are minted with fitcoach's own issue_access_token and the server's secret; refresh
tokens are stored as fitcoach stores them (keyed hash), so the server accepts both as its own.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from fitcoach.access.api_keys import issue_secret
from fitcoach.access.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from fitcoach.auth.password_hashing import hash_password
from fitcoach.config import Environment, Settings
from harness.catalog import seed_catalog
from harness.config import BenchSettings
from harness.sessions import CALENDAR_SIZES, SCHEDULED_SESSION_COLUMNS, add_calendar
from harness.threads import (
    ASSIGNMENT_COLUMNS as COACH_ASSIGNMENT_COLUMNS,
)
from harness.threads import (
    MESSAGE_COLUMNS,
    PARTICIPANT_COLUMNS,
    THREAD_COLUMNS,
    THREAD_SIZES,
    add_inbox,
    assign_to_coach,
)
from harness.training import (
    ASSIGNMENT_COLUMNS,
    HABIT_COLUMNS,
    SCHEDULE_COLUMNS,
    Completions,
    Follower,
    follow_plans,
)

PASSWORD = "Bench!Passw0rd-2026"  # one argon2 hash for every password user: the salt is inside
_DAY = timedelta(days=1)
_SEED = 20261122  # the same data every run, so runs compare

EXERCISES = (
    "Barbell back squat", "Bench press", "Deadlift", "Overhead press", "Pull-up",
    "Bent-over row", "Romanian deadlift", "Walking lunge", "Plank", "Dumbbell curl",
    "Triceps dip", "Leg press", "Lat pulldown", "Cable fly", "Calf raise", "Hip thrust",
    "Face pull", "Push-up", "Goblet squat", "Farmer's carry",
)  # fmt: skip
MEALS = ("Breakfast", "Morning snack", "Lunch", "Afternoon snack", "Dinner")
FOODS = (
    "Oats", "Greek yogurt", "Banana", "Eggs", "Whole-grain toast", "Chicken breast", "Rice",
    "Broccoli", "Salmon", "Sweet potato", "Lentils", "Almonds", "Apple", "Cottage cheese",
    "Tuna", "Quinoa", "Spinach", "Olive oil", "Beef mince", "Berries",
)  # fmt: skip
USER_AGENTS = ("fitcoach-ios/3.4.1", "fitcoach-android/3.4.0", "fitcoach-android/3.3.2")

USER_COLUMNS = (
    "id", "name", "phone", "email", "password_hash", "phone_verified", "email_verified",
    "height_cm", "weight_kg", "age", "gender", "is_blocked", "blocked_at", "created_at",
    "updated_at",
)  # fmt: skip
SUBSCRIPTION_COLUMNS = (
    "id", "user_id", "type", "days", "starts_at", "ends_at", "granted_by_id", "created_at",
    "updated_at",
)  # fmt: skip
PLAN_COLUMNS = (
    "id", "type", "name", "description", "owner_id", "author_id", "created_at", "updated_at",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "plan_id", "position", "day", "notes", "media_url", "exercise", "sets", "reps",
    "rest_seconds", "meal", "foods", "calories", "protein_g", "carbs_g", "fat_g",
)  # fmt: skip
SESSION_COLUMNS = (
    "id", "user_id", "created_at", "last_used_at", "revoked_at", "revoked_reason", "client_ip",
    "user_agent",
)  # fmt: skip
API_KEY_COLUMNS = ("id", "name", "prefix", "secret_hash", "scopes", "rate_limit")
REFRESH_COLUMNS = ("id", "session_id", "token_hash", "expires_at", "used_at", "created_at")
OTP_COLUMNS = (
    "id", "phone", "purpose", "code_hash", "attempts", "expires_at", "consumed_at", "created_at",
)  # fmt: skip

Row = tuple[Any, ...]


@dataclass(frozen=True)
class SeedShape:
    customers: int = 5_000
    coaches: int = 40  # the catalog's products are spread over them
    paid_every: int = 5  # every 5th customer has an active paid subscription: 20%
    expired_every: int = 10  # of the rest, ~1 in 10 let the free trial run out
    token_users: int = 300  # per kind (free, paid): live session and a minted access token
    login_users: int = 500  # password sign-ins rotate through these
    qa_phones: int = 1_000  # fixed test numbers (FITCOACH_TEST_OTPS); the first is for probes
    items_per_plan: int = 20
    otp_history: int = 10_000
    refresh_slots: int = 4  # one slice of fresh refresh tokens per mixed-scenario wrk run
    refresh_per_slot: int = 3_000


@dataclass(frozen=True)
class Customer:
    id: uuid.UUID
    phone: str
    kind: str  # "trial" (active free), "paid" (active paid), "expired" (trial over)
    has_password: bool


@dataclass(frozen=True)
class TokenUser:
    user_id: str
    token: str


@dataclass
class SeedData:
    """What the scenarios need from the seed: accounts, tokens, numbers, and row counts."""

    free_users: list[TokenUser]
    paid_users: list[TokenUser]
    admin: TokenUser
    login_phones: list[str]
    qa_codes: dict[str, str]
    refresh_slots: list[list[str]]
    probe_refresh: list[str]
    # Each signed-in customer's training items of the day (harness/training.py).
    completions: list[Completions] = field(default_factory=list)
    # Signed-in coaches by how many sessions their month holds (harness/sessions.py).
    calendar_coaches: dict[int, TokenUser] = field(default_factory=dict)
    # Signed-in coaches by how many threads their inbox holds, and the coach the signed-in
    # customers message (harness/threads.py).
    inbox_coaches: dict[int, TokenUser] = field(default_factory=dict)
    messaged_coach: TokenUser = TokenUser("", "")
    counts: dict[str, int] = field(default_factory=dict)
    # A partner's API key with `customers:read` (the API-key read's scenario).
    api_key: str = ""
    # The wearable partner's user ids of the signed-in customers' connections.
    wearable_users: list[str] = field(default_factory=list)

    @property
    def test_otps(self) -> str:
        return ",".join(f"{phone}={code}" for phone, code in self.qa_codes.items())

    @property
    def probe_qa(self) -> tuple[str, str]:
        return next(iter(self.qa_codes.items()))

    @property
    def load_qa(self) -> list[tuple[str, str]]:
        """The QA numbers wrk cycles through; the probe's number is kept out of its way."""
        return list(self.qa_codes.items())[1:]


def bench_settings(bench: BenchSettings) -> Settings:
    """fitcoach Settings with the server's secret and token lifetime, for minting and hashing.
    Explicit values, no .env: the harness's own environment must not change what is minted."""
    return Settings(
        _env_file=None,
        env=Environment.production,
        jwt_secret=bench.jwt_secret,
        access_token_ttl_seconds=bench.access_token_ttl_seconds,
        sms_provider="console",
        allow_console_sms_in_production=True,
        allow_unscanned_attachments_in_production=True,
    )


async def seed(dsn: str, bench: BenchSettings, shape: SeedShape) -> SeedData:
    settings = bench_settings(bench)
    password_hash = await hash_password(PASSWORD)
    builder = _Builder(settings, shape, password_hash, datetime.now(UTC))
    data = builder.build()
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            stamped = await _stamp_by_default(connection)
            for table, (columns, rows) in builder.tables.items():
                columns, rows = _stamped(columns, rows, builder.now)
                await connection.copy_records_to_table(table, records=rows, columns=columns)
            if await connection.fetchval("SELECT to_regclass('products') IS NOT NULL"):
                await seed_catalog(connection)
            for table, column in stamped:
                await connection.execute(
                    f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT'
                )
        # Planner statistics as a live database would have them.
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    data.counts = {table: len(rows) for table, (_, rows) in builder.tables.items()}
    data.counts |= await _catalog_counts(dsn)
    return data


async def _stamp_by_default(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    """While the seed loads, the timestamp columns the app always writes itself (every table's
    created_at and updated_at) default to now(), so the seed's rows need not name them; the
    defaults are dropped again afterwards. The (table, column) pairs given a default."""
    rows = await connection.fetch(
        """
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name IN ('created_at', 'updated_at')
          AND is_nullable = 'NO' AND column_default IS NULL
        """
    )
    stamped = [(row["table_name"], row["column_name"]) for row in rows]
    for table, column in stamped:
        await connection.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT now()')
    return stamped


async def _catalog_counts(dsn: str) -> dict[str, int]:
    connection = await asyncpg.connect(dsn)
    try:
        counts = {}
        for table in ("products", "product_goals", "product_reviews"):
            if await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
                count = f'SELECT count(*) FROM "{table}"'  # noqa: S608 - a name from above
                counts[table] = await connection.fetchval(count)
        return counts
    finally:
        await connection.close()


class _Builder:
    """Builds every row in memory, in foreign-key order (dicts keep insertion order)."""

    def __init__(
        self, settings: Settings, shape: SeedShape, password_hash: str, now: datetime
    ) -> None:
        self.settings = settings
        self.shape = shape
        self.password_hash = password_hash
        self.now = now
        self.rng = random.Random(_SEED)  # noqa: S311 - test data, not secrets
        # (training, diet): the default templates, and each paid customer's own newest plans.
        self.templates: tuple[uuid.UUID, uuid.UUID] | None = None
        self.own_plans: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = {}
        self.tables: dict[str, tuple[Sequence[str], list[Row]]] = {
            "users": (USER_COLUMNS, []),
            "user_roles": (("user_id", "role"), []),
            "subscriptions": (SUBSCRIPTION_COLUMNS, []),
            "plans": (PLAN_COLUMNS, []),
            "plan_items": (ITEM_COLUMNS, []),
            "plan_schedules": (SCHEDULE_COLUMNS, []),
            "plan_assignments": (ASSIGNMENT_COLUMNS, []),
            "habits": (HABIT_COLUMNS, []),
            "settings": (("key", "value", "updated_at", "updated_by_id"), []),
            "auth_sessions": (SESSION_COLUMNS, []),
            "refresh_tokens": (REFRESH_COLUMNS, []),
            "otp_codes": (OTP_COLUMNS, []),
            "scheduled_sessions": (SCHEDULED_SESSION_COLUMNS, []),
            "api_keys": (API_KEY_COLUMNS, []),
            "wearable_connections": (
                ("id", "customer_id", "provider", "external_user_id"),
                [],
            ),
            "coach_assignments": (COACH_ASSIGNMENT_COLUMNS, []),
            "message_threads": (THREAD_COLUMNS, []),
            "thread_participants": (PARTICIPANT_COLUMNS, []),
            "messages": (MESSAGE_COLUMNS, []),
        }

    def rows(self, table: str) -> list[Row]:
        return self.tables[table][1]

    def build(self) -> SeedData:
        admin_id = self._user("Bench Administrator", "+201200000001", "ADMIN", with_metrics=False)
        coach_id = self._user("Bench Coach", "+201200000002", "COACH", with_metrics=False)
        for index in range(1, self.shape.coaches):
            self._user(f"Coach {index:03d}", f"+20122{index:07d}", "COACH", with_metrics=False)
        customers = [self._customer(index) for index in range(self.shape.customers)]
        qa_codes = {_qa_phone(index): _qa_code(index) for index in range(self.shape.qa_phones)}
        qa_ids = [
            self._user(f"QA Number {index:03d}", phone, "CUSTOMER")
            for index, phone in enumerate(qa_codes)
        ]
        self._subscriptions(customers, qa_ids, admin_id)
        self._plans(customers, coach_id, admin_id)
        self._history(customers)
        free = [c for c in customers if c.kind == "trial"][: self.shape.token_users]
        paid = [c for c in customers if c.kind == "paid"][: self.shape.token_users]
        refresh_slots, probe_refresh = self._refresh_pool(customers)
        free_users = [self._token_user(c.id) for c in free]
        paid_users = [self._token_user(c.id) for c in paid]
        completions = self._follow(free_users + paid_users, coach_id)
        # Last, so the random draws of everything above stay what they were before.
        calendar_coaches = {size: self._calendar_coach(size) for size in CALENDAR_SIZES}
        inbox_coaches = {size: self._inbox_coach(size) for size in THREAD_SIZES}
        assign_to_coach(
            self._add,
            [uuid.UUID(user.user_id) for user in free_users + paid_users],
            coach_id,
            self.now,
        )
        return SeedData(
            free_users=free_users,
            paid_users=paid_users,
            admin=self._token_user(admin_id),
            api_key=self._api_key(),
            wearable_users=[self._wearable(c.id) for c in free + paid],
            login_phones=[c.phone for c in customers if c.has_password][: self.shape.login_users],
            qa_codes=qa_codes,
            refresh_slots=refresh_slots,
            probe_refresh=probe_refresh,
            completions=completions,
            calendar_coaches=calendar_coaches,
            inbox_coaches=inbox_coaches,
            messaged_coach=self._token_user(coach_id),
        )

    def _calendar_coach(self, sessions: int) -> TokenUser:
        coach_id = self._user(
            f"Calendar Coach {sessions}", f"+20123{sessions:07d}", "COACH", with_metrics=False
        )
        add_calendar(self.rows("scheduled_sessions").append, coach_id, sessions, self.now)
        return self._token_user(coach_id)

    def _inbox_coach(self, threads: int) -> TokenUser:
        coach_id = self._user(
            f"Inbox Coach {threads}", f"+20124{threads:07d}", "COACH", with_metrics=False
        )
        add_inbox(self._add, self._partner, coach_id, threads, self.now)
        return self._token_user(coach_id)

    def _add(self, table: str, row: Row) -> None:
        self.rows(table).append(row)

    def _partner(self, name: str, phone: str) -> uuid.UUID:
        """A customer who only writes to a coach: no metrics, never signed in."""
        return self._user(name, phone, "CUSTOMER", with_metrics=False)

    def _follow(self, users: list[TokenUser], coach_id: uuid.UUID) -> list[Completions]:
        assert self.templates is not None
        followers = [
            Follower(
                uuid.UUID(u.user_id),
                u.token,
                *self.own_plans.get(uuid.UUID(u.user_id), self.templates),
            )
            for u in users
        ]

        def add(table: str, _columns: Sequence[str], row: Row) -> None:
            self.rows(table).append(row)

        return follow_plans(add, self.rows("plan_items"), followers, coach_id, self.now)

    # Users ----------------------------------------------------------------------------------

    def _user(
        self,
        name: str,
        phone: str,
        role: str,
        *,
        with_metrics: bool = True,
        password_hash: str | None = None,
    ) -> uuid.UUID:
        rng = self.rng
        user_id = uuid.uuid4()
        created = self.now - rng.randint(1, 400) * _DAY
        metrics: tuple[Any, ...] = (None, None, None, None)
        # One in ten never completed the profile (profile_update_required in /auth/me).
        if with_metrics and rng.random() > 0.1:
            gender = rng.choice(("male", "female"))
            metrics = (
                float(rng.randint(150, 200)),
                float(rng.randint(48, 120)),
                rng.randint(18, 65),
                gender,
            )
        email = f"user{rng.getrandbits(40):x}@example.com" if rng.random() < 0.5 else None
        verified = (True, False)  # phone verified (sign-up is by OTP), email not
        row = (user_id, name, phone, email, password_hash, *verified, *metrics, False, None)
        self.rows("users").append((*row, created, created))
        self.rows("user_roles").append((user_id, role))
        return user_id

    def _customer(self, index: int) -> Customer:
        if index % self.shape.paid_every == 0:
            kind = "paid"
        elif index % self.shape.expired_every == 3:
            kind = "expired"
        else:
            kind = "trial"
        # A third are legacy accounts that also sign in with a password.
        has_password = index % 3 == 0
        phone = f"+2011{index:08d}"
        password_hash = self.password_hash if has_password else None
        user_id = self._user(
            f"Customer {index:05d}", phone, "CUSTOMER", password_hash=password_hash
        )
        return Customer(user_id, phone, kind, has_password)

    # Subscriptions ----------------------------------------------------------------------------

    def _subscriptions(
        self, customers: list[Customer], qa_ids: list[uuid.UUID], admin_id: uuid.UUID
    ) -> None:
        for customer in customers:
            self._subscription_rows(customer.id, customer.kind, admin_id)
        for qa_id in qa_ids:
            self._subscription_rows(qa_id, "trial", admin_id)

    def _subscription_rows(self, user_id: uuid.UUID, kind: str, admin_id: uuid.UUID) -> None:
        """Every customer has the free row of their registration; paid ones a paid row too."""
        rng = self.rng
        if kind == "trial":
            # Started up to 5 days ago, 7 days long: active through the run.
            self._subscription(user_id, "free", 7, self.now - rng.randint(0, 5) * _DAY, None)
            return
        self._subscription(user_id, "free", 7, self.now - rng.randint(60, 400) * _DAY, None)
        if kind == "paid":
            days = rng.choice((30, 90, 365))
            started = self.now - rng.randint(0, days - 2) * _DAY
            self._subscription(user_id, "paid", days, started, admin_id)

    def _subscription(
        self, user_id: uuid.UUID, kind: str, days: int, starts: datetime, by: uuid.UUID | None
    ) -> None:
        ends = starts + days * _DAY
        row = (uuid.uuid4(), user_id, kind, days, starts, ends, by, starts, starts)
        self.rows("subscriptions").append(row)

    # Plans ----------------------------------------------------------------------------------

    def _plans(self, customers: list[Customer], coach_id: uuid.UUID, admin_id: uuid.UUID) -> None:
        old = self.now - 200 * _DAY
        training = self._plan("training", "Foundations: full body", None, coach_id, old)
        diet = self._plan("diet", "Balanced 2,000 kcal", None, coach_id, old)
        for number in range(4):  # other templates coaches keep
            self._plan("training", f"Template split {number}", None, coach_id, old)
            self._plan("diet", f"Template menu {number}", None, coach_id, old)
        self.templates = (training, diet)
        for customer in customers:
            if customer.kind == "paid":
                # An older plan and the newest, which is the one the customer is shown.
                self._plan(
                    "training", "Custom block 1", customer.id, coach_id, self.now - 40 * _DAY
                )
                newest = self._plan(
                    "training", "Custom block 2", customer.id, coach_id, self.now - 3 * _DAY
                )
                menu = self._plan(
                    "diet", "Custom menu", customer.id, coach_id, self.now - 10 * _DAY
                )
                self.own_plans[customer.id] = (newest, menu)
        for key, value in (
            ("DEFAULT_TRAINING_PLAN_ID", str(training)),
            ("DEFAULT_DIET_PLAN_ID", str(diet)),
            ("DEFAULT_FREE_DAYS", "7"),
        ):
            self.rows("settings").append((key, value, old, admin_id))

    def _plan(
        self,
        plan_type: str,
        name: str,
        owner: uuid.UUID | None,
        author: uuid.UUID,
        created: datetime,
    ) -> uuid.UUID:
        plan_id = uuid.uuid4()
        description = f"{name}: {self.shape.items_per_plan} items over 5 days."
        row = (plan_id, plan_type, name, description, owner, author, created, created)
        self.rows("plans").append(row)
        make = self._training_item if plan_type == "training" else self._diet_item
        for position in range(self.shape.items_per_plan):
            self.rows("plan_items").append(make(plan_id, position))
        return plan_id

    def _training_item(self, plan_id: uuid.UUID, position: int) -> Row:
        rng = self.rng
        media = f"https://cdn.example.com/exercises/{rng.randint(1, 500)}.mp4"
        notes = "Keep the core braced; slow on the way down." if position % 4 == 0 else None
        return (
            uuid.uuid4(), plan_id, position, position // 4 + 1, notes, media,
            EXERCISES[(position + rng.randint(0, 3)) % len(EXERCISES)], rng.randint(3, 5),
            rng.choice(("5", "8-12", "10", "12-15", "30s")), rng.choice((60, 90, 120)),
            None, None, None, None, None, None,
        )  # fmt: skip

    def _diet_item(self, plan_id: uuid.UUID, position: int) -> Row:
        rng = self.rng
        foods = json.dumps(rng.sample(FOODS, rng.randint(2, 5)))
        return (
            uuid.uuid4(), plan_id, position, position // 5 + 1, None, None, None, None, None,
            None, MEALS[position % len(MEALS)], foods, rng.randint(150, 800),
            float(rng.randint(5, 60)), float(rng.randint(10, 90)), float(rng.randint(3, 30)),
        )  # fmt: skip

    # Sign-in history, live sessions, tokens ----------------------------------------------------

    def _history(self, customers: list[Customer]) -> None:
        """Old, ended sessions and spent codes, so the tables the hot paths read are not empty."""
        rng = self.rng
        for customer in customers:
            started = self.now - rng.randint(30, 300) * _DAY
            session_id = self._session(customer.id, started, revoked=True)
            self._refresh_row(session_id, _random_hash(rng), started, used=True)
        for _ in range(self.shape.otp_history):
            customer = rng.choice(customers)
            created = self.now - rng.randint(1, 400) * _DAY
            self.rows("otp_codes").append(
                (uuid.uuid4(), customer.phone, "auth", _random_hash(rng), 1,
                 created + timedelta(minutes=5), created + timedelta(seconds=40), created)
            )  # fmt: skip

    def _session(self, user_id: uuid.UUID, started: datetime, *, revoked: bool) -> uuid.UUID:
        session_id = uuid.uuid4()
        ended = started + _DAY if revoked else None
        reason = "logout" if revoked else None
        ip = f"198.51.100.{self.rng.randint(1, 254)}"
        agent = self.rng.choice(USER_AGENTS)
        row = (session_id, user_id, started, ended or self.now, ended, reason, ip, agent)
        self.rows("auth_sessions").append(row)
        return session_id

    def _refresh_row(
        self, session_id: uuid.UUID, token_hash: str, created: datetime, *, used: bool
    ) -> None:
        expires = created + self.settings.refresh_token_ttl_days * _DAY
        row = (uuid.uuid4(), session_id, token_hash, expires, created if used else None, created)
        self.rows("refresh_tokens").append(row)

    def _wearable(self, customer_id: uuid.UUID) -> str:
        """The customer's connection at the Standard Webhooks partner; its user id there."""
        external = f"bench-{customer_id.hex[:16]}"
        self.rows("wearable_connections").append(
            (uuid.UUID(int=self.rng.getrandbits(128)), customer_id, "partner", external)
        )
        return external

    def _api_key(self) -> str:
        """A live partner key that reads customers, its limit the highest a key may have."""
        issued = issue_secret(self.settings)
        self.rows("api_keys").append(
            (
                uuid.UUID(int=self.rng.getrandbits(128)),
                "Bench partner",
                issued.prefix,
                issued.secret_hash,
                '["customers:read"]',
                10_000,
            )
        )
        return issued.key

    def _token_user(self, user_id: uuid.UUID) -> TokenUser:
        """A signed-in device: a live session whose current refresh token follows two spent ones,
        and an access token for it."""
        started = self.now - self.rng.randint(1, 20) * _DAY
        session_id = self._session(user_id, started, revoked=False)
        for _ in range(2):
            self._refresh_row(session_id, _random_hash(self.rng), started, used=True)
        self._refresh_row(session_id, _random_hash(self.rng), self.now, used=False)
        token, _ = issue_access_token(self.settings, user_id, session_id, self.now)
        return TokenUser(str(user_id), token)

    def _refresh_pool(self, customers: list[Customer]) -> tuple[list[list[str]], list[str]]:
        """Single-use refresh tokens of active customers' devices: a slice for each mixed
        run, and a few for the probes."""
        active = [c for c in customers if c.kind != "expired"]
        per_slot = self.shape.refresh_per_slot
        in_slots = self.shape.refresh_slots * per_slot
        tokens = [self._refresh_session(active[i % len(active)].id) for i in range(in_slots + 5)]
        slots = [tokens[i : i + per_slot] for i in range(0, in_slots, per_slot)]
        return slots, tokens[in_slots:]

    def _refresh_session(self, user_id: uuid.UUID) -> str:
        """A live session and its current refresh token, which one refresh request will spend."""
        session_id = self._session(user_id, self.now - _DAY, revoked=False)
        token = new_refresh_token()
        self._refresh_row(
            session_id, hash_refresh_token(self.settings, token), self.now, used=False
        )
        return token


def _stamped(
    columns: Sequence[str], rows: list[Row], now: datetime
) -> tuple[Sequence[str], list[Row]]:
    """Every table has created_at and updated_at (migration 0014); rows built without them are
    stamped with the seed's time."""
    missing = tuple(name for name in ("created_at", "updated_at") if name not in columns)
    if not missing:
        return columns, rows
    stamp = (now,) * len(missing)
    return (*columns, *missing), [(*row, *stamp) for row in rows]


def _qa_phone(index: int) -> str:
    return f"+2010{index + 1:08d}"


def _qa_code(index: int) -> str:
    return f"{(index * 7919 + 104_729) % 1_000_000:06d}"


def _random_hash(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def write_lines(path: Path, lines: Iterator[str] | Sequence[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path
