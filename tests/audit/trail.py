"""Reading the audit trail in tests, straight from the table the API reads."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.models import AuditEntry


async def entries(app: FastAPI, action: str | None = None) -> list[AuditEntry]:
    statement = select(AuditEntry).order_by(AuditEntry.occurred_at, AuditEntry.id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    async with app.state.sessionmaker() as session:
        return list((await session.execute(statement)).scalars())


async def only(app: FastAPI, action: str) -> AuditEntry:
    found = await entries(app, action)
    assert len(found) == 1, [entry.action for entry in await entries(app)]
    return found[0]


def as_text(entry: AuditEntry) -> str:
    fields: dict[str, Any] = {
        column.name: getattr(entry, column.key) for column in AuditEntry.__mapper__.columns
    }
    return json.dumps(fields, default=str)
