"""Progress entries (a customer for themselves, their coach, admins) and a customer's adherence
(their coach and admins)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import CurrentUser, StaffUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import CustomerIdPath
from fitcoach.training.progress.schemas import (
    AdherenceDayOut,
    AdherenceOut,
    EntryIn,
    EntryKind,
    EntryOut,
    ShareOut,
)
from fitcoach.training.progress.service import EntryQuery, Tally, progress_service

router = APIRouter(tags=["training"])


def _share(tally: Tally) -> ShareOut:
    return ShareOut(scheduled=tally.scheduled, completed=tally.completed, share=tally.share)


@router.post(
    "/progress/entries",
    response_model=DataEnvelope[EntryOut],
    status_code=201,
    responses=error_responses(400, 401, 404, 422),
    summary="Record a body weight, body fat, girth or photo (the customer, their coach, admins)",
)
async def record_entry(
    body: EntryIn, actor: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[EntryOut]:
    entry = await progress_service.record(session, actor, body.to_draft(), clock.now())
    return ok(EntryOut.model_validate(entry))


@router.get(
    "/progress/entries",
    response_model=DataEnvelope[Page[EntryOut]],
    responses=error_responses(401, 404, 422),
    summary="A customer's progress entries, newest first (the customer, their coach, admins)",
)
async def list_entries(
    actor: CurrentUser,
    session: ReadSession,
    page: PageRequestDep,
    clock: ClockDep,
    customer_id: Annotated[uuid.UUID | None, Query(alias="customerId")] = None,
    kind: EntryKind | None = None,
) -> DataEnvelope[Page[EntryOut]]:
    query = EntryQuery(customer_id=customer_id, kind=kind.value if kind else None, page=page)
    entries, total = await progress_service.entries(session, actor, query, clock.now())
    return ok(Page[EntryOut].of([EntryOut.model_validate(one) for one in entries], total, page))


@router.get(
    "/customers/{customerId}/adherence",
    response_model=DataEnvelope[AdherenceOut],
    responses=error_responses(401, 403, 404, 422),
    summary="Share of scheduled items completed per local day and per item type (the "
    "customer's coach and admins)",
)
async def adherence(
    customer_id: CustomerIdPath,
    actor: StaffUser,
    session: ReadSession,
    clock: ClockDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> DataEnvelope[AdherenceOut]:
    found = await progress_service.adherence(session, actor, customer_id, (start, end), clock.now())
    return ok(
        AdherenceOut(
            customer_id=customer_id,
            start=found.start,
            end=found.end,
            overall=_share(found.overall),
            days=[
                AdherenceDayOut(date=day, **_share(tally).model_dump()) for day, tally in found.days
            ],
            by_item_type={kind: _share(tally) for kind, tally in found.by_item_type.items()},
        )
    )
