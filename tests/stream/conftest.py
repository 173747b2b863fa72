"""Live-channel tests: streams live long enough for a test to read them (the suite's default
ends them at once, for clients that read whole responses)."""

from __future__ import annotations

import pytest


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    overrides: dict[str, object] = {"push_provider": "outbox", "stream_max_seconds": 60}
    overrides.update(getattr(request, "param", {}))
    return overrides
