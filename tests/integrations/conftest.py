from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integrations.wearables import provider_api
from tests.stream.live import served


@pytest.fixture
async def api_url() -> AsyncIterator[str]:
    """The providers' stand-in API, served on a loopback port."""
    async with served(provider_api()) as url:
        yield url
