"""Notification tests: pushes and e-mail recorded in memory unless a test points a channel at
a local stand-in server."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from fitcoach.notifications.channels import Outbox


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    overrides: dict[str, object] = {"push_provider": "outbox", "email_provider": "outbox"}
    overrides.update(getattr(request, "param", {}))
    return overrides


@pytest.fixture
def pushes(app: FastAPI) -> Outbox:
    outbox: Outbox | None = app.state.notification_providers.outbox
    assert outbox is not None
    return outbox
