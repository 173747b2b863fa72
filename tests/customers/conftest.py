from __future__ import annotations

import pytest

from tests.factories import Factory


@pytest.fixture(autouse=True)
async def _questionnaire(factory: Factory) -> None:
    await factory.first_questionnaire()
