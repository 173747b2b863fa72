"""Mass assignment: write endpoints given fields their caller may not set (roles, blocking,
verification and MFA flags, someone else's id, a subscription, ratings, a status) refuse them
with 422, or ignore them; either way a read afterwards shows that nothing they name changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.catalog.payloads import product_body
from tests.factories import STRONG_PASSWORD, random_phone
from tests.plans.payloads import plan_body
from tests.robustness.access_matrix import NEW_PASSWORD
from tests.robustness.world import INTAKE_ANSWERS, Actor, Stage, World, build_world

module_loop = pytest.mark.asyncio(loop_scope="module")
Text = Callable[[World], str]
Body = Callable[[World], dict[str, Any]]

# What only an admin, or nobody, may set on an account.
ACCOUNT_FIELDS: dict[str, Any] = {
    "roles": ["ADMIN"],
    "isBlocked": True,
    "emailVerified": True,
    "phoneVerified": False,
    "mfaEnabled": True,
    "subscriptionType": "paid",
    "subscription": {"type": "paid", "days": 3650},
}


def _customer(world: World) -> str:
    return world.customer.user_id


def _other_user(world: World) -> str:
    return world.id_of(Actor.ADMIN)


def _me(world: World) -> str:
    return "/api/v1/auth/me"


def _profile(world: World) -> str:
    return f"/api/v1/customers/{_customer(world)}/profile"


def _draft(world: World) -> str:
    return f"/api/v1/catalog/products/{world.objects.draft_product_id}"


def _review(world: World) -> str:
    objects = world.objects
    return f"/api/v1/catalog/products/{objects.published_product_id}/reviews/{objects.review_id}"


def _published_product(world: World) -> str:
    return f"/api/v1/catalog/products/{world.objects.published_product_id}"


def _plan(world: World) -> str:
    return f"/api/v1/plans/{world.objects.custom_training_plan_id}"


def _customer_plans(world: World) -> str:
    return f"/api/v1/plans?userId={_customer(world)}&pageSize=100"


def _users_named(name: str) -> Text:
    return lambda world: f"/api/v1/admin/users?q={name}"


@dataclass(frozen=True)
class Case:
    caller: Actor
    method: str
    path: Text
    body: Body
    # Reads whose answers must not change: (who reads, what).
    reads: tuple[tuple[Actor, Text], ...]
    # Fields a form documents as free-form and ignores; all others must be refused.
    ignored: bool = False


def _with(body: Body, **extra: Any) -> Body:
    return lambda world: {**body(world), **extra}


def _cases() -> list[Any]:
    as_customer_reads = ((Actor.CUSTOMER, _me), (Actor.CUSTOMER, _profile))
    admin_reads_newcomers = ((Actor.ADMIN, _users_named("Mass")),)
    cases: dict[str, Case] = {}
    for name, value in ACCOUNT_FIELDS.items():
        cases[f"profile {name}"] = Case(
            Actor.CUSTOMER,
            "PATCH",
            _profile,
            _with(lambda world: {"name": "Someone Else"}, **{name: value}),
            as_customer_reads,
        )
        cases[f"register {name}"] = Case(
            Actor.ADMIN,
            "POST",
            lambda world: "/api/v1/auth/register",
            _with(
                lambda world: {
                    "provider": random_phone(),
                    "password": NEW_PASSWORD,
                    "name": "Mass Assigner",
                },
                **{name: value},
            ),
            admin_reads_newcomers,
        )
        cases[f"email register metadata {name}"] = Case(
            Actor.ADMIN,
            "POST",
            lambda world: "/api/v1/auth/register",
            lambda world, name=name, value=value: {
                "provider": "email",
                "email": f"mass-{random_phone()[1:]}@example.com",
                "password": NEW_PASSWORD,
                "metadata": {"name": "Mass Assigner", name: value},
            },
            (),
            ignored=True,
        )
        cases[f"admin creates staff {name}"] = Case(
            Actor.ADMIN,
            "POST",
            lambda world: "/api/v1/admin/users",
            _with(
                lambda world: {
                    "name": "Mass Staffer",
                    "phone": random_phone(),
                    "password": NEW_PASSWORD,
                    "roles": ["COACH"],
                },
                **{name: value} if name != "roles" else {"roles": ["CUSTOMER"]},
            ),
            admin_reads_newcomers,
        )
    someone_else = {"userId": _other_user, "customerId": _other_user, "id": _other_user}
    for name, value in someone_else.items():
        cases[f"profile of {name}"] = Case(
            Actor.CUSTOMER,
            "PATCH",
            _profile,
            lambda world, name=name, value=value: {"name": "Someone Else", name: value(world)},
            as_customer_reads,
        )
        cases[f"intake for {name}"] = Case(
            Actor.CUSTOMER,
            "POST",
            lambda world: "/api/v1/onboarding/intake",
            lambda world, name=name, value=value: {
                **INTAKE_ANSWERS,
                "goals": ["general_fitness"],
                "questionnaireVersion": world.objects.questionnaire_version,
                name: value(world),
            },
            as_customer_reads,
        )
        cases[f"password of {name}"] = Case(
            Actor.CUSTOMER,
            "PATCH",
            lambda world: "/api/v1/auth/password",
            lambda world, name=name, value=value: {
                "currentPassword": STRONG_PASSWORD,
                "newPassword": NEW_PASSWORD,
                name: value(world),
            },
            as_customer_reads,
        )
    cases["intake sets risk flags"] = Case(
        Actor.CUSTOMER,
        "POST",
        lambda world: "/api/v1/onboarding/intake",
        lambda world: {
            **INTAKE_ANSWERS,
            "questionnaireVersion": world.objects.questionnaire_version,
            "riskFlags": [],
        },
        as_customer_reads,
    )
    coach_reads_product = ((Actor.ASSIGNED_COACH, _draft),)
    for name, value in {
        "status": "published",
        "coachId": None,
        "ratingAverage": 5.0,
        "ratingCount": 1000,
        "publishedAt": "2020-01-01T00:00:00Z",
    }.items():
        cases[f"product update {name}"] = Case(
            Actor.ASSIGNED_COACH,
            "PATCH",
            _draft,
            lambda world, name=name, value=value: {
                "title": "Renamed program",
                name: value if name != "coachId" else world.id_of(Actor.ADMIN),
            },
            coach_reads_product,
        )
        if name == "coachId":  # a product's coach is the admin's to choose: see the catalog tests
            continue
        cases[f"product create {name}"] = Case(
            Actor.ASSIGNED_COACH,
            "POST",
            lambda world: "/api/v1/catalog/products",
            lambda world, name=name, value=value: product_body(
                title="Mass product", **{name: value}
            ),
            ((Actor.ASSIGNED_COACH, lambda world: "/api/v1/catalog/products?pageSize=100"),),
        )
    for name, value in {"hidden": True, "authorId": None, "productId": None}.items():
        cases[f"review update {name}"] = Case(
            Actor.CUSTOMER,
            "PATCH",
            _review,
            lambda world, name=name, value=value: {
                "rating": 1,
                name: value if value is not None else str(world.objects.draft_product_id),
            },
            ((Actor.CUSTOMER, _published_product),),
        )
    cases["plan update owner"] = Case(
        Actor.ASSIGNED_COACH,
        "PATCH",
        _plan,
        lambda world: {"name": "Renamed plan", "userId": world.id_of(Actor.ADMIN)},
        ((Actor.ASSIGNED_COACH, _plan),),
    )
    cases["plan create author"] = Case(
        Actor.ASSIGNED_COACH,
        "POST",
        lambda world: "/api/v1/plans",
        lambda world: plan_body(userId=_customer(world), authorId=world.id_of(Actor.ADMIN)),
        ((Actor.ASSIGNED_COACH, _customer_plans),),
    )
    cases["grant a free subscription"] = Case(
        Actor.ADMIN,
        "POST",
        lambda world: f"/api/v1/admin/users/{_customer(world)}/subscription",
        lambda world: {"type": "free", "days": 3650},
        ((Actor.CUSTOMER, _me),),
    )
    cases["grant to someone else"] = Case(
        Actor.ADMIN,
        "POST",
        lambda world: f"/api/v1/admin/users/{_customer(world)}/subscription",
        lambda world: {"type": "paid", "days": 30, "userId": world.id_of(Actor.ADMIN)},
        ((Actor.CUSTOMER, _me),),
    )
    cases["roles with blocking"] = Case(
        Actor.ADMIN,
        "PATCH",
        lambda world: f"/api/v1/admin/users/{_customer(world)}/roles",
        lambda world: {"roles": ["CUSTOMER"], "isBlocked": True},
        ((Actor.CUSTOMER, _me),),
    )
    return [pytest.param(case, id=name) for name, case in cases.items()]


@pytest.fixture(scope="module")
def worlds() -> dict[Actor, World]:
    return {}


async def _read(stage: Stage, world: World, reads: tuple[tuple[Actor, Text], ...]) -> list[Any]:
    answers = []
    for reader, path in reads:
        response = await stage.client.get(path(world), headers=world.headers(reader))
        assert response.status_code == 200, response.text
        answers.append(response.json()["data"])
    return answers


@module_loop
@pytest.mark.parametrize("case", _cases())
async def test_fields_the_caller_may_not_set_change_nothing(
    stage: Stage, worlds: dict[Actor, World], case: Case
) -> None:
    # Every case must leave its world as it found it, so the cases of one caller share one.
    if case.caller not in worlds:
        worlds[case.caller] = await build_world(stage.app, stage.client, case.caller)
    world = worlds[case.caller]
    before = await _read(stage, world, case.reads)
    response = await stage.client.request(
        case.method, case.path(world), json=case.body(world), headers=world.headers(case.caller)
    )
    if case.ignored:
        assert response.status_code == 201, response.text
        token = response.json()["data"]["accessToken"]["token"]
        me = await stage.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        user = me.json()["data"]["user"]
        assert (user["roles"], user["isBlocked"], user["mfaEnabled"]) == (
            ["CUSTOMER"],
            False,
            False,
        )
        assert user["emailVerified"] is False
    else:
        assert response.status_code == 422, response.text
        assert response.json()["statusCode"] == 422
    assert await _read(stage, world, case.reads) == before
