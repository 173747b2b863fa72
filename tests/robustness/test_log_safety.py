"""What reaches the log when something fails with a secret in flight: the failure's types and
frames, never its message (which quoted the statement's bound parameters, argon2 hashes
included), and the logger itself never fails on text it cannot encode (a lone surrogate)."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator

import httpx
import pytest
import structlog
from fastapi import FastAPI
from sqlalchemy import text

from tests.standalone import TEST_PEER

SECRET_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0c2FsdA$SECRETHASHVALUEnevershown"
SECRET_TOKEN = "tok_SECRETTOKENVALUEnevershown"


@pytest.fixture
def log_output(app: FastAPI) -> Iterator[io.StringIO]:
    """What the app's own log handler (set up by create_app) writes."""
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.fixture
async def failing_client(app: FastAPI) -> httpx.AsyncClient:
    async def insert_secret() -> None:
        async with app.state.sessionmaker() as session, session.begin():
            # `name` is NOT NULL: the insert fails, with the hash among its parameters.
            await session.execute(
                text("INSERT INTO users (id, password_hash) VALUES (:id, :hash)"),
                {"id": str(uuid.uuid4()), "hash": SECRET_HASH},
            )

    async def raise_with_secret() -> None:
        raise RuntimeError(f"token {SECRET_TOKEN} and text \ud800 in the message")

    app.add_api_route("/test-only/insert-secret", insert_secret, methods=["POST"])
    app.add_api_route("/test-only/raise-secret", raise_with_secret, methods=["POST"])
    # Starlette re-raises after the catch-all answered (for the server to log); the transport
    # must not turn that into a test failure.
    transport = httpx.ASGITransport(app=app, client=TEST_PEER, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_database_error_logs_no_bound_parameter(
    failing_client: httpx.AsyncClient, log_output: io.StringIO
) -> None:
    async with failing_client:
        response = await failing_client.post("/test-only/insert-secret")
    assert response.status_code == 500
    assert response.json()["message"] == "Internal server error"
    logged = log_output.getvalue()
    assert "unhandled_error" in logged
    assert "sqlalchemy.exc.IntegrityError" in logged
    assert "insert_secret" in logged  # the frames are kept
    assert SECRET_HASH not in logged
    assert "SECRETHASHVALUE" not in logged
    assert SECRET_HASH not in response.text


async def test_an_unexpected_error_logs_no_message_and_the_logger_survives(
    failing_client: httpx.AsyncClient,
    log_output: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with failing_client:
        response = await failing_client.post("/test-only/raise-secret")
    assert response.status_code == 500
    logged = log_output.getvalue()
    assert "unhandled_error" in logged
    assert "builtins.RuntimeError" in logged
    assert SECRET_TOKEN not in logged
    # The logging module reports its own failures on stderr ("--- Logging error ---").
    assert "Logging error" not in capsys.readouterr().err


def test_foreign_loggers_and_secret_fields_are_cleaned(log_output: io.StringIO) -> None:
    try:
        raise ValueError(f"invalid input for query argument $1: '{SECRET_HASH}'")
    except ValueError:
        # How uvicorn reports an exception that escaped the app.
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("fitcoach.test").warning("plain line")
    # A lone surrogate in a field: escaped on the way out, not a logging error. (Not in a stdlib
    # record's message: pytest-xdist could not ship that captured line between its processes.)
    structlog.get_logger("fitcoach.test").info(
        "login", password_hash=SECRET_HASH, token="t", name="bad \ud800 name"
    )
    logged = log_output.getvalue()
    assert "Exception in ASGI application" in logged
    assert "builtins.ValueError" in logged
    assert "plain line" in logged
    assert "[redacted]" in logged
    assert SECRET_HASH not in logged
    assert "bad \\ud800 name" in logged
