"""Notification tests: pushes and e-mail recorded in memory unless a test points a channel at
a local stand-in server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from fitcoach.notifications.channels import Outbox
from tests.notifications.smtp_server import Inbox, free_port


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    overrides: dict[str, object] = {
        "push_provider": "outbox",
        "email_provider": "outbox",
    }
    overrides.update(getattr(request, "param", {}))
    return overrides


@pytest.fixture
def pushes(app: FastAPI) -> Outbox:
    outbox: Outbox | None = app.state.notification_providers.outbox
    assert outbox is not None
    return outbox


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
