"""The access matrix: for every route of the app, the status each actor must get.

Each row names the request an actor would legitimately make (path ids from the world, a valid
body), so the status says only whether the actor may make it. Public routes succeed for anyone,
whatever token they carry. Every id is checked against what the caller may see: a customer sees
only themself, a coach only the customers assigned to them now, an admin everyone. A caller who
may not see an object gets 404, as if it did not exist (403 where the route says "learn nothing"
for every id, such as /plans/training/{userId}); 403 otherwise means the caller's role may not
do this, or they may see the object but not change it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import pyotp

from fitcoach.auth.otp.service import SEND_SMS_JOB
from fitcoach.models import Job
from fitcoach.models.enums import DeviceKind, NotificationCategory
from fitcoach.notifications.devices import DeviceRegistration, device_service
from fitcoach.notifications.service import NotificationRequest, notification_service
from tests.catalog.payloads import product_body
from tests.factories import FIRST_MIGRATION, STRONG_PASSWORD, random_phone
from tests.plans.payloads import plan_body
from tests.robustness.access_matrix_analytics import ANALYTICS_MATRIX
from tests.robustness.access_matrix_automations import AUTOMATIONS_MATRIX
from tests.robustness.access_matrix_commerce import COMMERCE_MATRIX
from tests.robustness.access_matrix_community import (
    COMMUNITY_MATRIX,
    COMMUNITY_SEEN_BUT_NOT_THEIRS,
)
from tests.robustness.access_matrix_integrations import INTEGRATIONS_MATRIX
from tests.robustness.access_matrix_messaging import (
    MESSAGING_MATRIX,
    MESSAGING_SEEN_BUT_NOT_THEIRS,
)
from tests.robustness.access_matrix_scheduling import SCHEDULING_MATRIX
from tests.robustness.access_matrix_support import SUPPORT_MATRIX
from tests.robustness.access_matrix_training import TRAINING_MATRIX
from tests.robustness.access_matrix_webhooks import TASKS_MATRIX, WEBHOOKS_MATRIX
from tests.robustness.cells import (
    Call,
    Row,
    admin_only,
    anyone_signed_in,
    body_of,
    call_on,
    customer_id_of,
    public,
    reads_only,
    signed_in,
)
from tests.robustness.world import INTAKE_ANSWERS, Actor, World

NEW_PASSWORD = "N3w!Matrix-Passw0rd"
SIGNED_IN_TOKENS = frozenset({"accessToken", "refreshToken"})


on_customer = call_on(customerId=customer_id_of)
on_user = call_on(userId=customer_id_of)
on_plan = call_on(planId=lambda world: world.objects.custom_training_plan_id)
on_draft = call_on(productId=lambda world: world.objects.draft_product_id)
on_published = call_on(productId=lambda world: world.objects.published_product_id)
on_review = call_on(
    productId=lambda world: world.objects.published_product_id,
    reviewId=lambda world: world.objects.review_id,
)


async def _otp_login(world: World, actor: Actor) -> Call:
    code = await world.sms_code(world.customer.phone)
    return Call(json={"phone": world.customer.phone, "otp": code})


async def _otp_register(world: World, actor: Actor) -> Call:
    phone = random_phone()
    code = await world.sms_code(phone)
    return Call(json={"phone": phone, "otp": code, "name": "Matrix Newcomer"})


async def _reset_password(world: World, actor: Actor) -> Call:
    phone = world.customer.phone
    code = await world.sms_code(phone, "/api/v1/auth/forgot-password")
    return Call(json={"phone": phone, "otp": code, "newPassword": NEW_PASSWORD})


async def _mfa_verify(world: World, actor: Actor) -> Call:
    recovery_codes = await world.enable_totp(Actor.CUSTOMER)
    token = await world.mfa_challenge(Actor.CUSTOMER)
    return Call(json={"mfaToken": token, "recoveryCode": recovery_codes[0]})


async def _email_verify(world: World, actor: Actor) -> Call:
    email = world.emails[Actor.CUSTOMER]
    return Call(json={"email": email, "code": await world.email_code(email)})


async def _otp_verify(world: World, actor: Actor) -> Call:
    phone = random_phone()
    code = await world.sms_code(phone, "/api/v1/otp/send")
    return Call(json={"phone": phone, "otp": code})


async def _totp_confirm(world: World, actor: Actor) -> Call:
    if world.account(actor) is None:
        return Call(json={"code": "000000"})
    secret = await world.pending_totp(actor)
    return Call(json={"code": pyotp.TOTP(secret).at(world.app.state.clock.now())})


async def _totp_disable(world: World, actor: Actor) -> Call:
    if world.account(actor) is not None:
        await world.enable_totp(actor)
    return Call(json={"password": STRONG_PASSWORD})


@reads_only
async def _new_product(world: World, actor: Actor) -> Call:
    """Coaches lead what they create; an admin names the coach."""
    if actor is Actor.ADMIN:
        return Call(json=product_body(coachId=world.id_of(Actor.ASSIGNED_COACH)))
    return Call(json=product_body())


async def _review_new_product(world: World, actor: Actor) -> Call:
    """A published product the customer has not reviewed yet, bought by the caller if they
    can buy (only buyers review)."""
    product_id = await world.publish_draft()
    if actor in (Actor.CUSTOMER, Actor.OTHER_CUSTOMER):
        await world.buy(actor, product_id)
    return Call(path={"productId": str(product_id)}, json={"rating": 5, "text": "Great coach"})


async def _hidden_review(world: World, actor: Actor) -> Call:
    await world.hide_review()
    return await on_review()(world, actor)


async def _assign_coach(world: World, actor: Actor) -> Call:
    coach_id = await world.extra_coach()
    return Call(path={"customerId": world.customer.user_id}, json={"coachId": str(coach_id)})


async def _blocked_customer(world: World, actor: Actor) -> Call:
    await world.block_customer()
    return Call(path={"userId": world.customer.user_id})


async def _customer_notification(world: World, actor: Actor) -> Call:
    async with world.app.state.sessionmaker() as session, session.begin():
        notification = await notification_service.notify(
            session,
            NotificationRequest(
                user_id=world.customer.id,
                category=NotificationCategory.account,
                title="Matrix notice",
                body="For the access matrix.",
            ),
            world.app.state.clock.now(),
        )
    assert notification is not None
    return Call(path={"notificationId": str(notification.id)})


async def _customer_device(world: World, actor: Actor) -> Call:
    async with world.app.state.sessionmaker() as session, session.begin():
        device = await device_service.register(
            session,
            world.customer.id,
            DeviceRegistration(kind=DeviceKind.fcm, token=f"matrix-{uuid.uuid4().hex}"),
            https_only=False,
        )
    return Call(path={"deviceId": str(device.id)})


async def _dead_job(world: World, actor: Actor) -> Call:
    """A dead SMS job whose code no longer exists: retried, it runs and has nothing to send."""
    job_id = uuid.uuid4()
    now = world.app.state.clock.now()
    async with world.app.state.sessionmaker() as session, session.begin():
        session.add(
            Job(
                id=job_id,
                name=SEND_SMS_JOB,
                args={"otp_id": str(uuid.uuid4()), "sealed_text": ""},
                state="dead",
                attempts=6,
                max_attempts=6,
                due_at=now,
                created_at=now,
            )
        )
    return Call(path={"jobId": str(job_id)})


def _fresh_phone(world: World) -> dict[str, str]:
    return {"phone": random_phone()}


def _refresh_token(world: World) -> dict[str, str]:
    return {"refreshToken": world.customer.refresh_token}


MATRIX: dict[tuple[str, str], Row] = {
    # The API's description: public, like the API's shape it describes.
    ("GET", "/openapi.json"): Row(public()),
    ("GET", "/docs"): Row(public()),
    ("GET", "/redoc"): Row(public()),
    # Sign-in: public by design; the body carries the proof, any bearer token is ignored.
    ("POST", "/api/v1/auth/otp/send"): Row(public(), body_of(_fresh_phone)),
    ("POST", "/api/v1/auth/otp/login"): Row(public(), _otp_login, SIGNED_IN_TOKENS),
    ("POST", "/api/v1/auth/otp/register"): Row(public(201), _otp_register, SIGNED_IN_TOKENS),
    ("POST", "/api/v1/auth/forgot-password"): Row(
        public(), body_of(lambda world: {"phone": world.customer.phone})
    ),
    ("POST", "/api/v1/auth/reset-password"): Row(public(), _reset_password),
    ("POST", "/api/v1/auth/login"): Row(
        public(),
        body_of(lambda world: {"provider": world.customer.phone, "password": STRONG_PASSWORD}),
        SIGNED_IN_TOKENS,
    ),
    ("POST", "/api/v1/auth/mfa/verify"): Row(public(), _mfa_verify, SIGNED_IN_TOKENS),
    ("POST", "/api/v1/auth/email/verify"): Row(public(), _email_verify),
    ("POST", "/api/v1/auth/email/send-code"): Row(
        public(), body_of(lambda world: {"email": world.emails[Actor.CUSTOMER]})
    ),
    ("POST", "/api/v1/auth/register"): Row(
        public(201),
        body_of(
            lambda world: {
                "provider": random_phone(),
                "password": NEW_PASSWORD,
                "name": "Matrix Newcomer",
            }
        ),
        SIGNED_IN_TOKENS,
    ),
    ("POST", "/api/v1/auth/refresh-token"): Row(
        public(), body_of(_refresh_token), SIGNED_IN_TOKENS
    ),
    ("POST", "/api/v1/auth/logout"): Row(public(), body_of(_refresh_token)),
    ("POST", "/api/v1/otp/send"): Row(public(), body_of(_fresh_phone)),
    ("POST", "/api/v1/otp/verify"): Row(public(), _otp_verify),
    # The signed-in user's own account.
    ("GET", "/api/v1/auth/me"): Row(anyone_signed_in()),
    ("PATCH", "/api/v1/auth/password"): Row(
        anyone_signed_in(),
        body_of(lambda world: {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}),
    ),
    ("POST", "/api/v1/auth/mfa/totp/setup"): Row(
        anyone_signed_in(), hands_over=frozenset({"secret", "otpauthUri"})
    ),
    ("POST", "/api/v1/auth/mfa/totp/confirm"): Row(
        anyone_signed_in(), _totp_confirm, frozenset({"recoveryCodes"})
    ),
    ("DELETE", "/api/v1/auth/mfa/totp"): Row(anyone_signed_in(), _totp_disable),
    # Onboarding.
    ("GET", "/api/v1/onboarding/questionnaire"): Row(anyone_signed_in()),
    ("POST", "/api/v1/onboarding/intake"): Row(
        signed_in(200, 200, 403, 403, 403),
        body_of(
            lambda world: {
                **INTAKE_ANSWERS,
                "questionnaireVersion": world.objects.questionnaire_version,
            }
        ),
    ),
    ("POST", "/api/v1/admin/questionnaires"): Row(
        admin_only(201), body_of(lambda world: FIRST_MIGRATION.FIRST_QUESTIONS)
    ),
    ("GET", "/api/v1/admin/questionnaires"): Row(admin_only()),
    # Customers and their coaches.
    ("GET", "/api/v1/customers/{customerId}/profile"): Row(
        signed_in(200, 404, 200, 404, 200), on_customer()
    ),
    ("PATCH", "/api/v1/customers/{customerId}/profile"): Row(
        signed_in(200, 404, 403, 404, 200),
        on_customer(lambda world: {"name": "Matrix Renamed", "weight": 68}),
    ),
    ("POST", "/api/v1/customers/{customerId}/coaches"): Row(admin_only(201), _assign_coach),
    ("DELETE", "/api/v1/customers/{customerId}/coaches/{coachId}"): Row(
        admin_only(),
        call_on(
            customerId=customer_id_of, coachId=lambda world: world.id_of(Actor.ASSIGNED_COACH)
        )(),
    ),
    ("GET", "/api/v1/coaches/me/customers"): Row(signed_in(403, 403, 200, 200, 403)),
    # Catalog: the products are led by the assigned coach; the review is the customer's.
    ("POST", "/api/v1/catalog/products"): Row(signed_in(403, 403, 201, 201, 201), _new_product),
    ("GET", "/api/v1/catalog/products"): Row(anyone_signed_in()),
    ("GET", "/api/v1/catalog/products/{productId}"): Row(
        signed_in(404, 404, 200, 404, 200), on_draft()
    ),
    ("PATCH", "/api/v1/catalog/products/{productId}"): Row(
        signed_in(403, 403, 200, 404, 200), on_draft(lambda world: {"title": "Renamed program"})
    ),
    ("POST", "/api/v1/catalog/products/{productId}/publish"): Row(
        signed_in(403, 403, 200, 404, 200), on_draft()
    ),
    ("POST", "/api/v1/catalog/products/{productId}/archive"): Row(
        signed_in(403, 403, 200, 403, 200), on_published()
    ),
    ("POST", "/api/v1/catalog/products/{productId}/reviews"): Row(
        signed_in(201, 201, 403, 403, 403), _review_new_product
    ),
    ("PATCH", "/api/v1/catalog/products/{productId}/reviews/{reviewId}"): Row(
        signed_in(200, 403, 403, 403, 403), on_review(lambda world: {"rating": 5})
    ),
    ("DELETE", "/api/v1/catalog/products/{productId}/reviews/{reviewId}"): Row(
        signed_in(200, 403, 403, 403, 200), on_review()
    ),
    ("POST", "/api/v1/catalog/products/{productId}/reviews/{reviewId}/hide"): Row(
        admin_only(), on_review()
    ),
    ("POST", "/api/v1/catalog/products/{productId}/reviews/{reviewId}/unhide"): Row(
        admin_only(), _hidden_review
    ),
    # Admin console.
    ("GET", "/api/v1/admin/settings"): Row(admin_only()),
    ("POST", "/api/v1/admin/settings/free-days/default"): Row(
        admin_only(), body_of(lambda world: {"days": 14})
    ),
    ("POST", "/api/v1/admin/settings/training-plan/default"): Row(
        admin_only(), body_of(lambda world: {"planId": str(world.objects.training_template_id)})
    ),
    ("POST", "/api/v1/admin/settings/diet-plan/default"): Row(
        admin_only(), body_of(lambda world: {"planId": str(world.objects.diet_template_id)})
    ),
    ("POST", "/api/v1/admin/settings/user/free-days"): Row(
        admin_only(),
        body_of(lambda world: {"userId": world.customer.user_id, "freeDays": 10}),
    ),
    ("GET", "/api/v1/admin/jobs"): Row(admin_only()),
    ("POST", "/api/v1/admin/jobs/{jobId}/retry"): Row(admin_only(), _dead_job),
    ("GET", "/api/v1/admin/users"): Row(admin_only()),
    ("POST", "/api/v1/admin/users"): Row(
        admin_only(201),
        body_of(
            lambda world: {
                "name": "Matrix Staff",
                "phone": random_phone(),
                "password": NEW_PASSWORD,
                "roles": ["COACH"],
            }
        ),
    ),
    ("PATCH", "/api/v1/admin/users/{userId}/roles"): Row(
        admin_only(), on_user(lambda world: {"roles": ["CUSTOMER", "COACH"]})
    ),
    ("POST", "/api/v1/admin/users/{userId}/block"): Row(admin_only(), on_user()),
    ("POST", "/api/v1/admin/users/{userId}/unblock"): Row(admin_only(), _blocked_customer),
    ("POST", "/api/v1/admin/users/{userId}/subscription"): Row(
        admin_only(201), on_user(lambda world: {"type": "paid", "days": 30})
    ),
    ("GET", "/api/v1/audit-logs"): Row(admin_only()),
    # Plans: the customer's custom plans were written by an admin, so the assigned coach
    # reaches them only through the assignment.
    ("GET", "/api/v1/plans/training/{userId}"): Row(signed_in(200, 403, 200, 403, 200), on_user()),
    ("GET", "/api/v1/plans/diet/{userId}"): Row(signed_in(200, 403, 200, 403, 200), on_user()),
    ("POST", "/api/v1/plans"): Row(
        signed_in(403, 403, 201, 403, 201),
        body_of(lambda world: plan_body("training", userId=world.customer.user_id)),
    ),
    ("GET", "/api/v1/plans"): Row(signed_in(403, 403, 200, 200, 200)),
    ("GET", "/api/v1/plans/{planId}"): Row(signed_in(200, 404, 200, 404, 200), on_plan()),
    ("PATCH", "/api/v1/plans/{planId}"): Row(
        signed_in(403, 403, 200, 404, 200), on_plan(lambda world: {"name": "Renamed plan"})
    ),
    ("DELETE", "/api/v1/plans/{planId}"): Row(signed_in(403, 403, 200, 404, 200), on_plan()),
    # Notifications and the live channel: each user reaches only their own.
    ("GET", "/api/v1/notifications"): Row(anyone_signed_in()),
    ("POST", "/api/v1/notifications/read-all"): Row(anyone_signed_in()),
    ("POST", "/api/v1/notifications/{notificationId}/read"): Row(
        signed_in(200, 404, 404, 404, 404), _customer_notification
    ),
    ("GET", "/api/v1/notifications/preferences"): Row(anyone_signed_in()),
    ("PUT", "/api/v1/notifications/preferences"): Row(
        anyone_signed_in(),
        body_of(lambda world: {"quietHours": {"start": "22:00", "end": "07:00"}}),
    ),
    ("POST", "/api/v1/devices"): Row(
        anyone_signed_in(201),
        body_of(lambda world: {"kind": "fcm", "token": f"matrix-{uuid.uuid4().hex}"}),
    ),
    ("DELETE", "/api/v1/devices/{deviceId}"): Row(
        signed_in(200, 404, 404, 404, 404), _customer_device
    ),
    ("POST", "/api/v1/stream/tickets"): Row(
        anyone_signed_in(201), hands_over=frozenset({"ticket"})
    ),
    ("GET", "/api/v1/stream"): Row(anyone_signed_in()),
    # Probes: public so that load balancers and scrapers need no account.
    ("GET", "/api/v1/health"): Row(public()),
    ("GET", "/api/v1/health/live"): Row(public()),
    ("GET", "/api/v1/health/ready"): Row(public()),
    ("GET", "/metrics"): Row(public()),
    # Training: the customer follows their custom plan; see access_matrix_training.
    **TRAINING_MATRIX,
    # Integrations: the business's API keys, admins only; see access_matrix_integrations.
    **INTEGRATIONS_MATRIX,
    **WEBHOOKS_MATRIX,
    **TASKS_MATRIX,
    # Automations: admins only; see access_matrix_automations.
    **AUTOMATIONS_MATRIX,
    # Commerce: customers buy and read their own; see access_matrix_commerce.
    **COMMERCE_MATRIX,
    # Messaging: the customer's thread with their coach; see access_matrix_messaging.
    **MESSAGING_MATRIX,
    # Community: an open community the customer joined; see access_matrix_community.
    **COMMUNITY_MATRIX,
    # Support tickets: the customer's own and support staff's; see access_matrix_support.
    **SUPPORT_MATRIX,
    # Scheduling: sessions and entitlements; see access_matrix_scheduling.
    **SCHEDULING_MATRIX,
    # Analytics: progress, cohorts and the finance report; see access_matrix_analytics.
    **ANALYTICS_MATRIX,
}


# Denied cells where the actor may see the object but not change it, so a 403 there tells them
# nothing new; in every other denied cell, an id that names nothing must get the same answer.
SEEN_BUT_NOT_THEIRS: set[tuple[str, str, Actor]] = {
    ("PATCH", "/api/v1/customers/{customerId}/profile", Actor.ASSIGNED_COACH),
    ("POST", "/api/v1/catalog/products/{productId}/archive", Actor.UNASSIGNED_COACH),
    # The coach's customer reads the coach's availability but does not set it.
    ("PUT", "/api/v1/coaches/{coachId}/availability", Actor.CUSTOMER),
    *(
        (method, "/api/v1/catalog/products/{productId}/reviews/{reviewId}", actor)
        for method in ("PATCH", "DELETE")
        for actor in (
            Actor.OTHER_CUSTOMER,
            Actor.ASSIGNED_COACH,
            Actor.UNASSIGNED_COACH,
            Actor.ADMIN,
        )
    ),
    *MESSAGING_SEEN_BUT_NOT_THEIRS,
    *COMMUNITY_SEEN_BUT_NOT_THEIRS,
}


def random_ids(path: Mapping[str, str]) -> dict[str, str]:
    """The same path with every id replaced by one that names nothing (a parameter that is no
    id, such as a wearable provider's name, is kept)."""
    return {
        name: str(uuid.uuid4()) if name.endswith("Id") else value for name, value in path.items()
    }
