from __future__ import annotations

import pytest
from fastapi import FastAPI


@pytest.fixture
def shared_database_emptied_afterwards(app: FastAPI) -> None:
    """For tests whose standalone apps write to the session's test database: the `app`
    fixture's teardown empties every table, as it does for its own app."""
