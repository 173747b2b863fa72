"""The world each cell of the access matrix runs against: one customer with a profile, a paid
subscription, custom plans and a review, the coach assigned to them, and everyone else the
matrix names as an actor, built through the real services in one transaction.

Worlds are cheap (no password hashing: every account shares one precomputed hash), so every cell
gets its own and no cell can see what another changed. Settings are global; each world makes its
own template plans the defaults, so it never depends on what an earlier cell set.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
import pyotp
from fastapi import FastAPI
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.accounts.service import accounts_service
from fitcoach.auth.mfa.service import mfa_service
from fitcoach.auth.otp.providers import OutboxSmsProvider
from fitcoach.auth.tokens.service import ClientInfo, session_service
from fitcoach.catalog.products.service import ProductDraft, product_service
from fitcoach.catalog.reviews.service import review_service
from fitcoach.catalog.schemas import ProductIn
from fitcoach.commerce.invoices.pricing import TaxPolicy
from fitcoach.commerce.orders.service import OrderDraft, Payer, order_service
from fitcoach.commerce.payments.providers import SandboxPaymentProvider
from fitcoach.models import CoachAssignment, Exercise, Habit, User
from fitcoach.models.enums import Gender, PlanType, Role
from fitcoach.notifications.email import OutboxEmailProvider
from fitcoach.onboarding.schemas import IntakeIn
from fitcoach.onboarding.service import onboarding_service
from fitcoach.plans.schemas import PlanIn
from fitcoach.plans.service import plans_service
from fitcoach.settings.service import setting_service
from fitcoach.subscriptions.service import subscription_service
from fitcoach.training.exercises.schemas import ExerciseIn
from fitcoach.training.exercises.service import exercises_service
from fitcoach.training.schedules.schemas import AssignmentIn, HabitIn, ScheduleIn
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.substitutions.service import substitutions_service
from fitcoach.users.service import BodyMetrics, NewUser, user_service
from tests.catalog.payloads import product_body
from tests.factories import STRONG_PASSWORD, Account, hashed, random_phone
from tests.plans.payloads import plan_body, training_item

_CODE = re.compile(r"\b(\d{6})\b")
_plan_in: TypeAdapter[Any] = TypeAdapter(PlanIn)
_CLIENT = ClientInfo(ip="203.0.113.10", user_agent="access-matrix")
INTAKE_ANSWERS: dict[str, Any] = {
    "goals": ["lose_weight"],
    "preferences": {"trainingDaysPerWeek": 3, "level": "beginner"},
    "healthFlags": [],
    "consentAccepted": True,
}


class Actor(StrEnum):
    """The columns of the matrix. The last three hold every role (customer, coach and admin), so
    any route that let their token through would answer as if it worked."""

    ANONYMOUS = "anonymous"
    CUSTOMER = "customer"
    OTHER_CUSTOMER = "other_customer"
    ASSIGNED_COACH = "assigned_coach"
    UNASSIGNED_COACH = "unassigned_coach"
    ADMIN = "admin"
    BLOCKED = "blocked"
    LOGGED_OUT = "logged_out"
    EXPIRED = "expired"


ALL_ROLES = [Role.CUSTOMER, Role.COACH, Role.ADMIN, Role.SUPPORT_AGENT]
_ROLES: dict[Actor, list[Role]] = {
    Actor.CUSTOMER: [Role.CUSTOMER],
    Actor.OTHER_CUSTOMER: [Role.CUSTOMER],
    Actor.ASSIGNED_COACH: [Role.COACH],
    Actor.UNASSIGNED_COACH: [Role.COACH],
    Actor.ADMIN: [Role.ADMIN],
    Actor.BLOCKED: ALL_ROLES,
    Actor.LOGGED_OUT: ALL_ROLES,
    Actor.EXPIRED: ALL_ROLES,
}


@dataclass(frozen=True)
class Stage:
    """The app a module's tests share, and a client of it."""

    app: FastAPI
    client: httpx.AsyncClient


@dataclass(frozen=True)
class Objects:
    """What the customer has and their coach leads: the customer's profile (answers to
    `questionnaire_version`), custom plans written by an admin, templates that are the defaults,
    and the coach's products, one published with the customer's review. The customer follows
    their custom training plan, scheduled so that its one item (an exercise of the world's, with
    an alternative) falls on every day, and has a habit of their own."""

    training_template_id: uuid.UUID
    diet_template_id: uuid.UUID
    custom_training_plan_id: uuid.UUID
    draft_product_id: uuid.UUID
    published_product_id: uuid.UUID
    review_id: uuid.UUID
    questionnaire_version: int
    exercise_id: uuid.UUID
    alternative_exercise_id: uuid.UUID
    followed_item_id: uuid.UUID
    own_habit_id: uuid.UUID


@dataclass
class World:
    app: FastAPI
    client: httpx.AsyncClient
    ids: dict[Actor, uuid.UUID]
    # Those holding a session: the customer and the actor.
    accounts: dict[Actor, Account]
    emails: dict[Actor, str]
    furnishings: Objects | None
    # Where the outboxes stood when the world was built: later messages are its own.
    sms_sent_before: int
    emails_sent_before: int
    # Secrets the world's helpers handed out, for the no-leak check.
    issued_secrets: set[str] = field(default_factory=set)

    @property
    def customer(self) -> Account:
        return self.accounts[Actor.CUSTOMER]

    def account(self, actor: Actor) -> Account | None:
        return self.accounts.get(actor)

    def headers(self, actor: Actor) -> dict[str, str]:
        account = self.account(actor)
        return dict(account.headers) if account is not None else {}

    def id_of(self, actor: Actor) -> str:
        return str(self.ids[actor])

    @property
    def objects(self) -> Objects:
        assert self.furnishings is not None, "this world was built without objects"
        return self.furnishings

    async def sms_code(self, phone: str, path: str = "/api/v1/auth/otp/send") -> str:
        """Ask for a code through the API and read it from the SMS outbox."""
        response = await self.client.post(path, json={"phone": phone})
        assert response.status_code == 200, response.text
        outbox: OutboxSmsProvider = self.app.state.sms_provider
        message = next(m for m in reversed(outbox.messages) if m.phone == phone)
        return _only_code(message.text)

    async def email_code(self, email: str) -> str:
        response = await self.client.post("/api/v1/auth/email/send-code", json={"email": email})
        assert response.status_code == 200, response.text
        outbox: OutboxEmailProvider = self.app.state.email_provider
        message = next(m for m in reversed(outbox.messages) if m.to == email)
        return _only_code(message.text)

    async def pending_totp(self, actor: Actor) -> str:
        """Start TOTP setup for `actor`; the secret their authenticator app would hold."""
        async with self.app.state.sessionmaker() as session, session.begin():
            user = await user_service.get(session, self.ids[actor])
            setup = await mfa_service.begin_setup(session, self._settings, user, self._now)
        self.issued_secrets.add(setup.secret)
        return setup.secret

    async def enable_totp(self, actor: Actor) -> list[str]:
        """Turn TOTP on for `actor`; their recovery codes."""
        secret = await self.pending_totp(actor)
        async with self.app.state.sessionmaker() as session, session.begin():
            user = await user_service.get(session, self.ids[actor])
            codes = await mfa_service.confirm_setup(
                session, self._settings, user, pyotp.TOTP(secret).at(self._now), self._now
            )
        self.issued_secrets.update(codes)
        return codes

    async def mfa_challenge(self, actor: Actor) -> str:
        """A login of `actor` that passed the password and waits for the second factor."""
        async with self.app.state.sessionmaker() as session, session.begin():
            user = await user_service.get(session, self.ids[actor])
            token = await mfa_service.start_challenge(
                session, self._settings, user, "password", self._now
            )
        self.issued_secrets.add(token)
        return token

    async def extra_coach(self) -> uuid.UUID:
        """A coach not assigned to the customer yet."""
        async with self.app.state.sessionmaker() as session, session.begin():
            coach = await user_service.create(
                session,
                NewUser(name="Matrix extra coach", roles=[Role.COACH], phone=random_phone()),
            )
        return coach.id

    async def block_customer(self) -> None:
        async with self.app.state.sessionmaker() as session, session.begin():
            admin = await user_service.get(session, self.ids[Actor.ADMIN])
            await accounts_service.block_user(session, admin, self.ids[Actor.CUSTOMER], self._now)

    async def publish_draft(self) -> uuid.UUID:
        """Put the draft product on sale (by its coach); its id."""
        async with self.app.state.sessionmaker() as session, session.begin():
            coach = await user_service.get(session, self.ids[Actor.ASSIGNED_COACH])
            await product_service.publish(session, coach, self.objects.draft_product_id, self._now)
        return self.objects.draft_product_id

    async def buy(self, actor: Actor, product_id: uuid.UUID) -> None:
        """`actor` pays an order of the product (only buyers review it)."""
        async with self.app.state.sessionmaker() as session, session.begin():
            buyer = await user_service.get(session, self.ids[actor])
            await buy_in(session, buyer, product_id, self._now)

    async def hide_review(self) -> None:
        async with self.app.state.sessionmaker() as session, session.begin():
            admin = await user_service.get(session, self.ids[Actor.ADMIN])
            await review_service.set_hidden(
                session,
                admin,
                self.objects.published_product_id,
                self.objects.review_id,
                True,
                self._now,
            )

    async def substitute_item(self) -> uuid.UUID:
        """The customer does the alternative instead of their plan item's exercise; the
        substitution's id."""
        objects = self.objects
        async with self.app.state.sessionmaker() as session, session.begin():
            customer = await user_service.get(session, self.ids[Actor.CUSTOMER])
            done = await substitutions_service.substitute(
                session,
                customer,
                objects.custom_training_plan_id,
                (objects.followed_item_id, objects.alternative_exercise_id, "Knee feels off"),
                self._now,
            )
        return done.substitution.id

    @property
    def _settings(self) -> Any:
        return self.app.state.settings

    @property
    def _now(self) -> Any:
        return self.app.state.clock.now()


async def buy_in(session: AsyncSession, buyer: User, product_id: uuid.UUID, now: datetime) -> None:
    """An order of the product, paid in the sandbox, in the caller's transaction."""
    provider = SandboxPaymentProvider()
    checkout = await order_service.place(
        session, provider, buyer, OrderDraft(product_id, ()), TaxPolicy(0, inclusive=True), now
    )
    await order_service.confirm(
        session, provider, buyer, checkout.order.id, Payer("pm_card_visa", False), now
    )


def _product(title: str) -> ProductDraft:
    return ProductIn.model_validate(product_body(title=title, goals=["build_muscle"])).to_draft()


def _only_code(text: str) -> str:
    match = _CODE.search(text)
    assert match, text
    return match.group(1)


async def build_world(
    app: FastAPI, client: httpx.AsyncClient, actor: Actor, *, furnished: bool = True
) -> World:
    """A world in which `actor` holds a session (the customer always does: their refresh
    token and phone are what the public sign-in routes are called with). Without `furnished`,
    the customer has no objects: enough for the sign-in routes, and quicker."""
    settings = app.state.settings
    now = app.state.clock.now()
    password_hash = await hashed(STRONG_PASSWORD)
    async with app.state.sessionmaker() as session, session.begin():

        async def user(member: Actor) -> tuple[User, str]:
            email = f"{member.value.replace('_', '-')}-{uuid.uuid4().hex[:10]}@example.com"
            created = await user_service.create(
                session,
                NewUser(
                    name=f"Matrix {member.value.replace('_', ' ')}"[:30],
                    roles=_ROLES[member],
                    phone=random_phone(),
                    email=email,
                    password_hash=password_hash,
                    phone_verified=True,
                    metrics=BodyMetrics(height=170, weight=70, age=30, gender=Gender.female),
                ),
            )
            return created, email

        # The three that own the world's objects, and whoever acts in this cell.
        cast = {Actor.CUSTOMER, Actor.ASSIGNED_COACH, Actor.ADMIN}
        if actor is not Actor.ANONYMOUS:
            cast.add(actor)
        users: dict[Actor, User] = {}
        emails: dict[Actor, str] = {}
        for member in sorted(cast):
            users[member], emails[member] = await user(member)
        customer, coach, admin = (
            users[Actor.CUSTOMER],
            users[Actor.ASSIGNED_COACH],
            users[Actor.ADMIN],
        )
        for member in cast & {Actor.CUSTOMER, Actor.OTHER_CUSTOMER}:
            await subscription_service.start_free_trial(session, users[member].id, now)

        furnishings = await _furnish(session, customer, coach, admin, now) if furnished else None

        accounts: dict[Actor, Account] = {}
        for member in {Actor.CUSTOMER, actor} & users.keys():
            holder = users[member]
            # The expired token's session is live; only its access token has run out.
            started = (
                now - timedelta(seconds=settings.access_token_ttl_seconds + 60)
                if member is Actor.EXPIRED
                else now
            )
            issued = await session_service.start_session(
                session, settings, holder, _CLIENT, started
            )
            accounts[member] = Account(
                id=holder.id,
                phone=holder.phone or "",
                access_token=issued.access_token,
                refresh_token=issued.refresh_token,
                password=STRONG_PASSWORD,
                headers={"Authorization": f"Bearer {issued.access_token}"},
            )
        if actor is Actor.LOGGED_OUT:
            await session_service.logout(session, settings, accounts[actor].refresh_token, now)
        if actor is Actor.BLOCKED:
            await accounts_service.block_user(session, admin, users[actor].id, now)

    return World(
        app=app,
        client=client,
        ids={member: holder.id for member, holder in users.items()},
        accounts=accounts,
        emails=emails,
        furnishings=furnishings,
        sms_sent_before=len(app.state.sms_provider.messages),
        emails_sent_before=len(app.state.email_provider.messages),
    )


async def _furnish(
    session: AsyncSession, customer: User, coach: User, admin: User, now: datetime
) -> Objects:
    await subscription_service.grant_paid(session, customer.id, 30, admin.id, now)
    session.add(CoachAssignment(customer_id=customer.id, coach_id=coach.id, assigned_at=now))
    # Templates (the world's defaults) by an admin; the customer's custom plans by an admin
    # too, so the assigned coach reaches them only through the assignment.
    training_template = await plans_service.create(
        session, admin, _plan_in.validate_python(plan_body("training")).to_draft(), now
    )
    diet_template = await plans_service.create(
        session, admin, _plan_in.validate_python(plan_body("diet")).to_draft(), now
    )
    exercise, alternative = await _exercises(session, now)
    custom_training = await plans_service.create(
        session,
        admin,
        _plan_in.validate_python(
            plan_body(
                "training", userId=str(customer.id), items=[training_item(exercise=exercise.name)]
            )
        ).to_draft(),
        now,
    )
    own_habit = await _follow(session, admin, (customer, custom_training.id), now)
    await plans_service.create(
        session,
        admin,
        _plan_in.validate_python(plan_body("diet", userId=str(customer.id))).to_draft(),
        now,
    )
    await setting_service.set_default_plan(
        session, PlanType.training, training_template.id, admin.id, now
    )
    await setting_service.set_default_plan(session, PlanType.diet, diet_template.id, admin.id, now)

    # Products serve a goal the customer's answers do not name: recommending scans every
    # product serving their goals, and worlds pile up through a module.
    draft = await product_service.create(session, coach, _product("Draft program"), now)
    published = await product_service.create(session, coach, _product("Published program"), now)
    await product_service.publish(session, coach, published.product.id, now)
    await buy_in(session, customer, published.product.id, now)
    review = await review_service.create(
        session,
        customer,
        published.product.id,
        4,
        "Worth it",
        now,
    )
    questionnaire = await onboarding_service.current_questionnaire(session)
    await onboarding_service.submit_intake(
        session,
        customer,
        IntakeIn.model_validate(
            {**INTAKE_ANSWERS, "questionnaireVersion": questionnaire.version}
        ).to_intake(_CLIENT.ip),
        now,
    )
    return Objects(
        training_template_id=training_template.id,
        diet_template_id=diet_template.id,
        custom_training_plan_id=custom_training.id,
        draft_product_id=draft.product.id,
        published_product_id=published.product.id,
        review_id=review.review.id,
        questionnaire_version=questionnaire.version,
        exercise_id=exercise.id,
        alternative_exercise_id=alternative.id,
        followed_item_id=custom_training.items[0].id,
        own_habit_id=own_habit.id,
    )


async def _exercises(session: AsyncSession, now: datetime) -> tuple[Exercise, Exercise]:
    """An exercise and a variation of it, named for this world alone: the library is shared,
    and an item names its exercise by name."""
    group = uuid.uuid4().hex

    def exercise(name: str) -> ExerciseIn:
        return ExerciseIn.model_validate(
            {
                "name": f"Matrix {name} {group[:12]}",
                "category": "legs",
                "movementPattern": "squat",
                "instructions": "Sit back, stand up.",
                "primaryMuscles": ["quads"],
                "variationGroup": group,
            }
        )

    original = await exercises_service.create(session, exercise("squat"), now)
    variation = await exercises_service.create(session, exercise("box squat"), now)
    return original, variation


async def _follow(
    session: AsyncSession, admin: User, whose: tuple[User, uuid.UUID], now: datetime
) -> Habit:
    """The customer follows the plan from today, its day 1 every day; their own habit."""
    customer, plan_id = whose
    await schedules_service.set_schedule(
        session, admin, plan_id, ScheduleIn.model_validate({"kind": "cycle", "cycleDays": 1}), now
    )
    await schedules_service.assign(
        session,
        admin,
        plan_id,
        AssignmentIn.model_validate({"customerId": customer.id, "startDate": now.date()}),
        now,
    )
    water = HabitIn.model_validate({"kind": "water", "name": "Drink water", "target": 2000})
    return await schedules_service.add_customer_habit(session, admin, customer.id, water, now)
