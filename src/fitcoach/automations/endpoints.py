"""Automation rules (admins): the catalog an editor is built from, CRUD with a simulation
preview, the simulation on the real event history, and each rule's run history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from fitcoach.access.dependencies import AdminUser
from fitcoach.automations.catalog import ACTIONS, triggers
from fitcoach.automations.language import OPERATORS
from fitcoach.automations.schemas import (
    ActionOut,
    AffectedEntityOut,
    AutomationIn,
    AutomationOut,
    AutomationPatch,
    CatalogOut,
    CreatedAutomationOut,
    DayCountOut,
    FieldOut,
    FrequencyCapOut,
    ImpactOut,
    OperatorOut,
    RunOut,
    SimulateIn,
    SimulationOut,
    Status,
    ThresholdOut,
    TriggerOut,
)
from fitcoach.automations.service import automations_service
from fitcoach.automations.simulation import Simulation
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import AutomationIdPath
from fitcoach.models import Automation, AutomationRun

router = APIRouter(prefix="/automations", tags=["automations"])

DATE_ARITHMETIC = (
    'A datetime or date value may be {"daysFromNow": n}: n days after (negative: before) the '
    "moment the event happened."
)


def _automation_out(automation: Automation) -> AutomationOut:
    return AutomationOut(
        id=automation.id,
        name=automation.name,
        status=automation.status,
        trigger=automation.trigger,
        conditions=automation.conditions,
        actions=automation.actions,
        frequency_cap=FrequencyCapOut(max_runs=automation.cap_runs, per_hours=automation.cap_hours),
        created_by_id=automation.created_by_id,
        created_at=automation.created_at,
        updated_at=automation.updated_at,
    )


def _simulation_out(simulation: Simulation) -> SimulationOut:
    return SimulationOut(
        impact=ImpactOut(
            sample_size=simulation.sample_size,
            events_replayed=simulation.events_replayed,
            matched=simulation.matched,
            would_run=simulation.would_run,
            stopped_by_frequency_cap=simulation.stopped_by_frequency_cap,
            stopped_by_loop_guard=simulation.stopped_by_loop_guard,
            actions_by_type=dict(sorted(simulation.actions_by_type.items())),
            customers_affected=len(simulation.customers),
            messages_per_day=[
                DayCountOut(date=day, count=count)
                for day, count in sorted(simulation.messages_per_day.items())
            ],
        ),
        affected=[
            AffectedEntityOut(
                event_id=entity.event_id,
                event_type=entity.event_type,
                occurred_at=entity.occurred_at,
                customer_id=entity.customer_id,
                reasons=entity.reasons,
                actions=entity.actions,
                stopped_by=entity.stopped_by,
            )
            for entity in simulation.affected
        ],
    )


def _run_out(run: AutomationRun) -> RunOut:
    return RunOut(
        id=run.id,
        event_id=run.event_id,
        event_type=run.event_type,
        occurred_at=run.occurred_at,
        customer_id=run.customer_id,
        outcome=run.outcome,
        reasons=run.reasons,
        performed=run.performed,
        created_at=run.created_at,
    )


@router.get(
    "/catalog",
    response_model=DataEnvelope[CatalogOut],
    responses=error_responses(401, 403),
    summary="What a rule can name: triggers with their fields, operators, actions (admin)",
)
async def get_automation_catalog(_admin: AdminUser) -> DataEnvelope[CatalogOut]:
    return ok(
        CatalogOut(
            triggers=[
                TriggerOut(
                    event=found.event,
                    name=found.name,
                    description=found.description,
                    has_customer=found.has_customer,
                    threshold=ThresholdOut(
                        name=found.threshold.name,
                        minimum=found.threshold.low,
                        maximum=found.threshold.high,
                    )
                    if found.threshold
                    else None,
                    fields=[
                        FieldOut(
                            name=spec.name,
                            type=spec.type,
                            description=spec.description,
                            values=list(spec.values) if spec.values else None,
                        )
                        for spec in found.fields
                    ],
                )
                for found in triggers().values()
            ],
            operators=[
                OperatorOut(name=op.name, types=sorted(op.types), description=op.description)
                for op in OPERATORS.values()
            ],
            actions=[
                ActionOut(type=spec.type, description=spec.description, parameters=spec.parameters)
                for spec in ACTIONS
            ],
            date_arithmetic=DATE_ARITHMETIC,
        )
    )


@router.post(
    "",
    response_model=DataEnvelope[CreatedAutomationOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 422),
    summary="Create an automation; answers its id and a simulation on recent events (admin)",
)
async def create_automation(
    body: Annotated[AutomationIn, Body()],
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[CreatedAutomationOut]:
    saved = await automations_service.create(session, admin, body.to_draft(), clock.now())
    created.route("get_automation", automationId=saved.automation.id)
    return ok(
        CreatedAutomationOut(
            id=saved.automation.id,
            automation=_automation_out(saved.automation),
            preview=_simulation_out(saved.preview),
        )
    )


@router.get(
    "",
    response_model=DataEnvelope[Page[AutomationOut]],
    responses=error_responses(401, 403, 422),
    summary="List automations, newest first (admin)",
)
async def list_automations(
    _admin: AdminUser,
    session: ReadSession,
    page: PageRequestDep,
    status: Annotated[Status | None, Query(description="Only automations in this status")] = None,
) -> DataEnvelope[Page[AutomationOut]]:
    found, total = await automations_service.page(session, page, status)
    return ok(Page[AutomationOut].of([_automation_out(item) for item in found], total, page))


@router.get(
    "/{automationId}",
    response_model=DataEnvelope[AutomationOut],
    responses=error_responses(401, 403, 404, 422),
    summary="Read an automation (admin)",
)
async def get_automation(
    automation_id: AutomationIdPath, _admin: AdminUser, session: ReadSession
) -> DataEnvelope[AutomationOut]:
    return ok(_automation_out(await automations_service.get(session, automation_id)))


@router.patch(
    "/{automationId}",
    response_model=DataEnvelope[AutomationOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change an automation: its rule, name, status or frequency cap (admin)",
)
async def update_automation(
    automation_id: AutomationIdPath,
    body: Annotated[AutomationPatch, Body()],
    _admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[AutomationOut]:
    automation = await automations_service.update(
        session, automation_id, body.to_changes(), clock.now()
    )
    return ok(_automation_out(automation))


@router.delete(
    "/{automationId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Delete an automation and its run history (admin)",
)
async def delete_automation(
    automation_id: AutomationIdPath, _admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await automations_service.delete(session, automation_id, clock.now())
    return said("Automation deleted")


@router.post(
    "/{automationId}/simulate",
    response_model=DataEnvelope[SimulationOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary=(
        "Replay the trigger's latest events through the rule, performing nothing: the impact "
        "and a sample of the matches with why each matched (admin)"
    ),
)
async def simulate_automation(
    automation_id: AutomationIdPath,
    body: Annotated[SimulateIn, Body()],
    _admin: AdminUser,
    # A read-only session: the simulation cannot write, whatever it calls.
    session: ReadSession,
    clock: ClockDep,
) -> DataEnvelope[SimulationOut]:
    simulation = await automations_service.simulate(
        session, automation_id, body.sample_size, clock.now()
    )
    return ok(_simulation_out(simulation))


@router.get(
    "/{automationId}/runs",
    response_model=DataEnvelope[Page[RunOut]],
    responses=error_responses(401, 403, 404, 422),
    summary="What the automation did on live events, newest first (admin)",
)
async def list_automation_runs(
    automation_id: AutomationIdPath,
    _admin: AdminUser,
    session: ReadSession,
    page: PageRequestDep,
) -> DataEnvelope[Page[RunOut]]:
    runs, total = await automations_service.runs(session, automation_id, page)
    return ok(Page[RunOut].of([_run_out(run) for run in runs], total, page))
