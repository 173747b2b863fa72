"""Customer endpoints: a customer's profile (themself, their assigned coaches, admins), the
coaches assigned to a customer (admins), and a coach's own customers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import AdminUser, CurrentUser, CustomerReader
from fitcoach.customers.dependencies import CoachUser
from fitcoach.customers.schemas import (
    AssignCoachIn,
    CoachAssignmentOut,
    CoachCustomerOut,
    ConsentOut,
    CustomerProfileOut,
    CustomerSort,
    DemographicsOut,
    ProfileUpdateIn,
)
from fitcoach.customers.service import CustomerView, customers_service
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import CoachIdPath, CustomerIdPath
from fitcoach.http.search import SearchQuery
from fitcoach.models.vocabulary import RiskFlag
from fitcoach.subscriptions.schemas import SubscriptionStatusOut

router = APIRouter(tags=["customers"])


def _profile_out(view: CustomerView, now: datetime) -> CustomerProfileOut:
    user, profile = view.user, view.profile
    return CustomerProfileOut.model_validate(
        {
            "customerId": user.id,
            "profileId": profile.id if profile is not None else None,
            "demographics": DemographicsOut(
                name=user.name,
                phone=user.phone,
                email=user.email,
                age=user.age,
                gender=user.gender,
                height=user.height_cm,
                weight=user.weight_kg,
            ),
            "questionnaireVersion": profile.questionnaire_version if profile else None,
            "goals": profile.goals if profile else [],
            "preferences": profile.preferences if profile else {},
            "healthFlags": profile.health_flags if profile else [],
            "riskFlags": profile.risk_flags if profile else [],
            "consent": ConsentOut(
                accepted=profile is not None and profile.consent_accepted_at is not None,
                accepted_at=profile.consent_accepted_at if profile else None,
                version=profile.consent_version if profile else None,
            ),
            "coaches": [
                CoachAssignmentOut(coach_id=coach.coach_id, name=coach.name, since=coach.since)
                for coach in view.coaches
            ],
            "subscription": SubscriptionStatusOut.of(view.subscription, now),
        }
    )


@router.get(
    "/customers/{customerId}/profile",
    response_model=DataEnvelope[CustomerProfileOut],
    responses=error_responses(401, 403, 404, 422, 429),
    summary=(
        "A customer's demographics, answers, risk flags, consent, coaches and subscription "
        "(the customer, an assigned coach, an admin, or an API key with `customers:read`)"
    ),
)
async def get_profile(
    customer_id: CustomerIdPath, actor: CustomerReader, session: ReadSession, clock: ClockDep
) -> DataEnvelope[CustomerProfileOut]:
    now = clock.now()
    return ok(_profile_out(await customers_service.profile(session, actor, customer_id, now), now))


@router.patch(
    "/customers/{customerId}/profile",
    response_model=DataEnvelope[CustomerProfileOut],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Change a customer's demographics and preferences (the customer or an admin)",
)
async def update_profile(
    customer_id: CustomerIdPath,
    body: ProfileUpdateIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[CustomerProfileOut]:
    now = clock.now()
    view = await customers_service.update_profile(
        session, actor, customer_id, body.to_changes(), now
    )
    return ok(_profile_out(view, now))


@router.post(
    "/customers/{customerId}/coaches",
    response_model=DataEnvelope[CoachAssignmentOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Assign a coach to a customer (admin)",
)
async def assign_coach(
    customer_id: CustomerIdPath,
    body: AssignCoachIn,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[CoachAssignmentOut]:
    coach = await customers_service.assign_coach(
        session, admin, customer_id, body.coach_id, clock.now()
    )
    created.route("unassign_coach", customerId=customer_id, coachId=coach.coach_id)
    return ok(CoachAssignmentOut(coach_id=coach.coach_id, name=coach.name, since=coach.since))


@router.delete(
    "/customers/{customerId}/coaches/{coachId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="End a coach's assignment to a customer (admin)",
)
async def unassign_coach(
    customer_id: CustomerIdPath,
    coach_id: CoachIdPath,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> MessageEnvelope:
    await customers_service.unassign_coach(session, admin, customer_id, coach_id, clock.now())
    return said("Coach unassigned successfully")


@router.get(
    "/coaches/me/customers",
    response_model=DataEnvelope[Page[CoachCustomerOut]],
    responses=error_responses(401, 403, 422),
    summary="The customers assigned to the calling coach (coach)",
)
async def my_customers(
    coach: CoachUser,
    session: ReadSession,
    page: PageRequestDep,
    q: SearchQuery = None,
    risk_flag: Annotated[RiskFlag | None, Query(alias="riskFlag")] = None,
    sort: CustomerSort = "name",
) -> DataEnvelope[Page[CoachCustomerOut]]:
    listing = await customers_service.customers_of_coach(
        session, coach, search=q, risk_flag=risk_flag, sort=sort, page=page
    )
    items = [
        CoachCustomerOut(
            id=entry.user.id,
            name=entry.user.name,
            phone=entry.user.phone,
            email=entry.user.email,
            goals=entry.profile.goals if entry.profile else [],
            risk_flags=entry.profile.risk_flags if entry.profile else [],
            assigned_at=entry.assigned_at,
        )
        for entry in listing.customers
    ]
    return ok(Page[CoachCustomerOut].of(items, listing.total, page))
