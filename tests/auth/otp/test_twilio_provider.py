"""The Twilio SMS provider against a local stand-in for Twilio's Messages API: the request it
makes, how it reads Twilio's answers, and what a client of the API sees when sending fails."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from fitcoach.auth.otp.providers import SmsDeliveryError, SmsProviderUnavailable, TwilioSmsProvider
from fitcoach.config import Settings
from fitcoach.core.clock import FrozenClock
from tests.conftest import make_settings
from tests.factories import Factory, assert_error, random_phone

ACCOUNT_SID = "AC123"
AUTH_TOKEN = "tok"
FROM_NUMBER = "+15005550006"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
# Long enough for the local stand-in to answer on a loaded CI machine; the "hang" tests wait it out.
SMS_TIMEOUT_SECONDS = 1.0
CODE = re.compile(r"\b(\d{6})\b")

ANSWERS = {
    "accept": (201, {"sid": "SM123", "status": "queued"}),
    "reject": (400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}),
    "unavailable": (503, {"code": 20503, "message": "Service unavailable", "status": 503}),
    "broken": (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
}


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    authorization: str | None
    content_type: str | None
    form: dict[str, str]


@dataclass
class TwilioStandIn:
    """Answers like Twilio's Messages API: `accept`, `reject` (400), `unavailable` (503),
    `broken` (500), or `hang` (no answer until the test ends)."""

    server: ThreadingHTTPServer
    mode: str = "accept"
    received: list[ReceivedRequest] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(handler.rfile.read(length).decode()))
        self.received.append(
            ReceivedRequest(
                method=handler.command,
                path=handler.path,
                authorization=handler.headers.get("Authorization"),
                content_type=handler.headers.get("Content-Type"),
                form=form,
            )
        )
        if self.mode == "hang":
            self.released.wait(timeout=10)
            return
        status, body = ANSWERS[self.mode] if handler.path == MESSAGES_PATH else (404, {})
        payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            stand_in.answer(self)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in = TwilioStandIn(server)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        stand_in.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def twilio_settings(tmp_path: Path, base_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "sms_provider": "twilio",
        "twilio_base_url": base_url,
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_from_number": FROM_NUMBER,
        "sms_timeout_seconds": SMS_TIMEOUT_SECONDS,
    }
    values.update(overrides)
    return make_settings("sqlite+aiosqlite:///:memory:", tmp_path, **values)


async def _send(settings: Settings, phone: str = "+201000000001", text: str = "hello") -> None:
    provider = TwilioSmsProvider(settings)
    try:
        await provider.send(phone, text)
    finally:
        await provider.aclose()


# The provider on its own ----------------------------------------------------------------------


async def test_sends_a_form_post_with_basic_auth(twilio: TwilioStandIn, tmp_path: Path) -> None:
    await _send(twilio_settings(tmp_path, twilio.url), "+201000000001", "fitcoach: code 123456")
    [request] = twilio.received
    assert request.method == "POST"
    assert request.path == MESSAGES_PATH
    expected_credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.authorization == f"Basic {expected_credentials}"
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": "+201000000001",
        "Body": "fitcoach: code 123456",
        "From": FROM_NUMBER,
    }


async def test_messaging_service_replaces_the_from_number(
    twilio: TwilioStandIn, tmp_path: Path
) -> None:
    settings = twilio_settings(
        tmp_path, twilio.url, twilio_from_number=None, twilio_messaging_service_sid="MG999"
    )
    await _send(settings)
    [request] = twilio.received
    assert request.form["MessagingServiceSid"] == "MG999"
    assert "From" not in request.form


async def test_trailing_slash_in_base_url_is_ignored(twilio: TwilioStandIn, tmp_path: Path) -> None:
    await _send(twilio_settings(tmp_path, twilio.url + "/"))
    assert [request.path for request in twilio.received] == [MESSAGES_PATH]


async def test_refusal_is_a_delivery_error(twilio: TwilioStandIn, tmp_path: Path) -> None:
    twilio.mode = "reject"
    with pytest.raises(SmsDeliveryError, match="Invalid 'To' Phone Number"):
        await _send(twilio_settings(tmp_path, twilio.url))


async def test_server_error_is_unavailable(twilio: TwilioStandIn, tmp_path: Path) -> None:
    twilio.mode = "unavailable"
    with pytest.raises(SmsProviderUnavailable, match="503"):
        await _send(twilio_settings(tmp_path, twilio.url))


async def test_timeout_is_unavailable(twilio: TwilioStandIn, tmp_path: Path) -> None:
    twilio.mode = "hang"
    with pytest.raises(SmsProviderUnavailable, match="timed out"):
        await _send(twilio_settings(tmp_path, twilio.url))


async def test_unreachable_host_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(SmsProviderUnavailable):
        await _send(twilio_settings(tmp_path, "http://127.0.0.1:1"))


@pytest.mark.parametrize(
    "missing",
    [
        {"twilio_account_sid": None},
        {"twilio_auth_token": None},
        {"twilio_from_number": None, "twilio_messaging_service_sid": None},
    ],
    ids=["account-sid", "auth-token", "sender"],
)
def test_incomplete_credentials_are_refused_at_start(
    tmp_path: Path, missing: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="FITCOACH_TWILIO_"):
        TwilioSmsProvider(twilio_settings(tmp_path, "http://127.0.0.1:1", **missing))


# Through the API ------------------------------------------------------------------------------


@pytest.fixture
def settings_overrides(twilio: TwilioStandIn, request: pytest.FixtureRequest) -> dict[str, object]:
    return {
        **getattr(request, "param", {}),
        "sms_provider": "twilio",
        "twilio_base_url": twilio.url,
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_from_number": FROM_NUMBER,
        "sms_timeout_seconds": SMS_TIMEOUT_SECONDS,
    }


def _code_in(request: ReceivedRequest) -> str:
    match = CODE.search(request.form["Body"])
    assert match, request.form["Body"]
    return match.group(1)


async def test_code_sent_through_twilio_signs_up(
    client: httpx.AsyncClient, twilio: TwilioStandIn
) -> None:
    phone = random_phone()
    sent = await client.post("/api/v1/auth/otp/send", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    [message] = twilio.received
    assert message.form["To"] == phone
    registered = await client.post(
        "/api/v1/auth/otp/register",
        json={"phone": phone, "otp": _code_in(message), "name": "Twilio Person"},
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["data"]["user"]["phone"] == phone


async def test_refused_sms_retires_the_code_and_does_not_hold_the_cooldown(
    client: httpx.AsyncClient, twilio: TwilioStandIn
) -> None:
    phone = random_phone()
    twilio.mode = "reject"
    # The SMS is a background job: the request succeeds whatever the provider says.
    refused = await client.post("/api/v1/auth/otp/send", json={"phone": phone})
    assert refused.status_code == 200, refused.text
    undelivered_code = _code_in(twilio.received[-1])
    check = await client.post("/api/v1/otp/verify", json={"phone": phone, "otp": undelivered_code})
    assert check.status_code == 200, check.text
    assert check.json()["data"]["isValid"] is False

    twilio.mode = "accept"
    retried = await client.post("/api/v1/auth/otp/send", json={"phone": phone})
    assert retried.status_code == 200, retried.text
    assert len(twilio.received) == 2


async def test_a_refused_code_does_not_sign_in(
    client: httpx.AsyncClient, factory: Factory, twilio: TwilioStandIn
) -> None:
    account = await factory.customer()
    twilio.mode = "reject"
    sent = await client.post("/api/v1/auth/otp/send", json={"phone": account.phone})
    assert sent.status_code == 200, sent.text
    # The stand-in saw the message, so the code was generated; it must be dead.
    undelivered_code = _code_in(twilio.received[-1])
    login = await client.post(
        "/api/v1/auth/otp/login", json={"phone": account.phone, "otp": undelivered_code}
    )
    assert_error(login, 400, "Invalid OTP")


@pytest.mark.parametrize(
    "settings_overrides",
    [{"worker_embedded": True, "job_retry_base_seconds": 1.0}],
    indirect=True,
)
@pytest.mark.parametrize("mode", ["unavailable", "broken"])
async def test_an_sms_outage_retries_the_send_and_the_code_then_signs_in(
    client: httpx.AsyncClient,
    factory: Factory,
    twilio: TwilioStandIn,
    clock: FrozenClock,
    mode: str,
) -> None:
    account = await factory.customer()
    twilio.mode = mode
    sent = await client.post("/api/v1/auth/otp/send", json={"phone": account.phone})
    assert sent.status_code == 200, sent.text
    assert len(twilio.received) == 1

    twilio.mode = "accept"
    # The retry falls due by the app's clock (backoff of at most the base, 1 s, for attempt 1).
    clock.advance(seconds=2)
    await _wait_for(lambda: len(twilio.received) == 2)
    login = await client.post(
        "/api/v1/auth/otp/login",
        json={"phone": account.phone, "otp": _code_in(twilio.received[-1])},
    )
    assert login.status_code == 200, login.text


async def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)
