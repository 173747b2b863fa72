"""The SMTP email provider against a local SMTP server (aiosmtpd): the message it hands over,
and what registration and code requests answer when the server is down."""

from __future__ import annotations

import ipaddress
import re
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from fitcoach.app import create_app
from fitcoach.auth.email_verification.service import SEND_EMAIL_CODE_JOB
from fitcoach.core.clock import FrozenClock
from fitcoach.models import Job
from fitcoach.notifications.email import EmailDeliveryError, SmtpEmailProvider
from tests.conftest import make_settings
from tests.factories import STRONG_PASSWORD
from tests.notifications.smtp_server import Inbox, free_port


def _smtp_settings(tmp_path: Path, port: int, database_url: str = "sqlite+aiosqlite:///:memory:"):  # type: ignore[no-untyped-def]
    return make_settings(
        database_url,
        tmp_path,
        email_provider="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        email_from="fitcoach <no-reply@fitcoach.test>",
        email_timeout_seconds=2,
    )


async def test_the_message_reaches_the_smtp_server(
    smtp_server: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp_server
    provider = SmtpEmailProvider(_smtp_settings(tmp_path, port))
    await provider.send("member@example.com", "Hello", "Your code is 123456.")
    [(sender, recipients, message)] = inbox.messages
    assert sender == "no-reply@fitcoach.test"
    assert recipients == ["member@example.com"]
    assert message["Subject"] == "Hello"
    assert message["To"] == "member@example.com"
    assert "Your code is 123456." in message.get_payload()


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_the_default_starttls_with_a_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The production set-up: STARTTLS (the default security) to a server that verifies its
    certificate and wants a login once the connection is encrypted."""
    cert_path, key_path = _self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        login, password = auth.login.decode(), auth.password.decode()
        logins.append((login, password))
        return AuthResult(success=(login, password) == ("mailer", "s3cret-pass"))

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    controller.start()
    # The client trusts the system's CAs only; for this test the system CA is our certificate.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    try:
        settings = _smtp_settings(tmp_path, port)
        settings.smtp_security = "starttls"
        settings.smtp_username = "mailer"
        settings.smtp_password = SecretStr("s3cret-pass")
        await SmtpEmailProvider(settings).send("member@example.com", "Hello", "Code 654321.")
        settings.smtp_password = SecretStr("wrong-pass")
        with pytest.raises(EmailDeliveryError):
            await SmtpEmailProvider(settings).send("member@example.com", "Hello", "Code 111111.")
    finally:
        controller.stop()
    assert logins == [("mailer", "s3cret-pass"), ("mailer", "wrong-pass")]
    [(_, recipients, message)] = inbox.messages
    assert recipients == ["member@example.com"]
    assert "Code 654321." in message.get_payload()


async def test_an_unreachable_server_is_a_delivery_error(tmp_path: Path) -> None:
    provider = SmtpEmailProvider(_smtp_settings(tmp_path, free_port()))
    with pytest.raises(EmailDeliveryError):
        await provider.send("member@example.com", "Hello", "text")


@pytest.fixture
async def smtp_app(
    database_url: str, tmp_path: Path, clock: FrozenClock, smtp_server: tuple[Inbox, int]
) -> AsyncIterator[FastAPI]:
    application = create_app(_smtp_settings(tmp_path, smtp_server[1], database_url), clock=clock)
    async with application.router.lifespan_context(application):
        yield application


async def test_registration_mails_the_code_over_smtp(
    app: FastAPI, smtp_app: FastAPI, smtp_server: tuple[Inbox, int]
) -> None:
    # `app` is requested only for its clean-up of the shared tables after the test.
    inbox, _ = smtp_server
    transport = httpx.ASGITransport(app=smtp_app, client=("203.0.113.20", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/v1/auth/register",
            json={"provider": "email", "email": "smtp@example.com", "password": STRONG_PASSWORD},
        )
        assert response.status_code == 201, response.text
        [(_, recipients, message)] = inbox.messages
        assert recipients == ["smtp@example.com"]
        match = re.search(r"\b(\d{6})\b", str(message.get_payload()))
        assert match is not None
        code = match.group(1)
        verified = await client.post(
            "/api/v1/auth/email/verify", json={"email": "smtp@example.com", "code": code}
        )
        assert verified.status_code == 200, verified.text


async def test_a_mail_server_outage_retries_the_code_without_failing_the_request(
    app: FastAPI, clock: FrozenClock
) -> None:
    port = free_port()
    app.state.email_provider = SmtpEmailProvider(_smtp_settings(Path("."), port))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.21", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        registered = await client.post(
            "/api/v1/auth/register",
            json={"provider": "email", "email": "down@example.com", "password": STRONG_PASSWORD},
        )
        assert registered.status_code == 201, registered.text
        # The first attempt ran right after the commit, and failed: the job waits to retry.
        async with app.state.sessionmaker() as session:
            job = (await session.scalars(select(Job).where(Job.name == SEND_EMAIL_CODE_JOB))).one()
        assert (job.state, job.attempts) == ("pending", 1)
        assert job.last_error is not None
        assert job.last_error.startswith("EmailDeliveryError")

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            clock.advance(seconds=app.state.settings.job_retry_base_seconds)
            await app.state.worker.runner.run(job.id, set())
        finally:
            controller.stop()
        [(_, recipients, message)] = inbox.messages
        assert recipients == ["down@example.com"]
        match = re.search(r"\b(\d{6})\b", str(message.get_payload()))
        assert match is not None
        verified = await client.post(
            "/api/v1/auth/email/verify", json={"email": "down@example.com", "code": match.group(1)}
        )
        assert verified.status_code == 200, verified.text
