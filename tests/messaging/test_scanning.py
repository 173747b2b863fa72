"""Scanning against a real ClamAV daemon: the EICAR test file is rejected, deleted and audited;
a clean file is released as "clean"."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.models import Attachment, AuditEntry
from tests.factories import Factory, assert_error
from tests.messaging.clamd import clamd_port  # noqa: F401 - the fixture
from tests.messaging.files import INFECTED_PDF, PDF, upload


@pytest.fixture
def settings_overrides(clamd_port: int) -> dict[str, object]:  # noqa: F811
    return {"clamd_host": "127.0.0.1", "clamd_port": clamd_port}


async def test_the_eicar_file_is_rejected_deleted_and_audited(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.customer()
    response = await upload(client, owner, INFECTED_PDF, name="invoice.pdf")
    assert_error(response, 422, code="infected_file")
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Attachment)) == 0
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "attachment.rejected")
        )
    assert entry is not None
    assert entry.actor_id == owner.id
    assert entry.details is not None
    assert entry.details["signature"] == "Fitcoach.Test.EICAR.UNOFFICIAL"
    stored = Path(app.state.settings.data_dir) / "attachments"
    assert not [path for path in stored.rglob("*") if path.is_file()]


async def test_a_clean_file_is_released_after_its_scan(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.customer()
    response = await upload(client, owner, PDF)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["status"] == "clean"
    link = await client.get(
        f"/api/v1/attachments/{response.json()['data']['id']}", headers=owner.headers
    )
    assert (await client.get(link.json()["data"]["url"])).content == PDF
