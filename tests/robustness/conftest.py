"""One app per module (starting an app costs more than building a world), with rate limits
off: these tests ask who may call a route and what it answers, not how often."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from fitcoach.app import create_app
from fitcoach.core.clock import FrozenClock
from tests.conftest import POSTGRES_URL, _empty_tables, make_settings
from tests.factories import Factory
from tests.robustness.world import Stage

# The live fuzz pass runs on a SQLite database of its own, so the PostgreSQL run skips it; it is
# not even collected there, because schemathesis builds its cases at collection (most of a minute
# of every test process).
collect_ignore = ["test_fuzz_live.py"] if POSTGRES_URL is not None else []


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stage]:
    settings = make_settings(
        module_database_url,
        Path(tmp_path_factory.mktemp("matrix")),
        rate_limit_enabled=False,
        email_provider="outbox",
    )
    app = create_app(settings, clock=FrozenClock())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            try:
                await Factory(app, client).first_questionnaire()
                yield Stage(app, client)
            finally:
                await _empty_tables(app)
