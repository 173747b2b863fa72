"""SMS delivery behind one interface. `console` (the default) logs the message, `outbox` keeps it
in memory for tests and local QA tools, `twilio` sends it through Twilio's Messages API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import httpx
import structlog

from fitcoach.config import Settings

log = structlog.get_logger("fitcoach.sms")


class SmsDeliveryError(Exception):
    """The provider answered and refused, or answered with an error."""


class SmsProviderUnavailable(Exception):
    """The provider could not be reached in time."""


class SmsProvider(Protocol):
    name: str

    async def send(self, phone: str, text: str) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class ConsoleSmsProvider:
    """For development: one log line per message with the full number and text, which is the only
    place a code may appear in a log."""

    name: str = "console"

    async def send(self, phone: str, text: str) -> None:
        log.info("sms", to=phone, text=text)

    async def aclose(self) -> None:
        return None


@dataclass
class SentSms:
    phone: str
    text: str


@dataclass
class OutboxSmsProvider:
    """Keeps sent messages in memory, like Django's locmem mail backend."""

    name: str = "outbox"
    messages: list[SentSms] = field(default_factory=list)

    async def send(self, phone: str, text: str) -> None:
        self.messages.append(SentSms(phone=phone, text=text))

    async def aclose(self) -> None:
        return None


class TwilioSmsProvider:
    name = "twilio"

    def __init__(self, settings: Settings) -> None:
        if not settings.twilio_account_sid or not settings.twilio_auth_token:
            raise ValueError(
                "FITCOACH_SMS_PROVIDER=twilio needs FITCOACH_TWILIO_ACCOUNT_SID and "
                "FITCOACH_TWILIO_AUTH_TOKEN"
            )
        if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
            raise ValueError(
                "FITCOACH_SMS_PROVIDER=twilio needs FITCOACH_TWILIO_FROM_NUMBER or "
                "FITCOACH_TWILIO_MESSAGING_SERVICE_SID"
            )
        self._sender = (
            {"MessagingServiceSid": settings.twilio_messaging_service_sid}
            if settings.twilio_messaging_service_sid
            else {"From": settings.twilio_from_number or ""}
        )
        self._url = (
            f"{settings.twilio_base_url.rstrip('/')}/2010-04-01/Accounts/"
            f"{settings.twilio_account_sid}/Messages.json"
        )
        self._client = httpx.AsyncClient(
            auth=(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()),
            timeout=settings.sms_timeout_seconds,
        )

    async def send(self, phone: str, text: str) -> None:
        try:
            response = await self._client.post(
                self._url, data={"To": phone, "Body": text, **self._sender}
            )
        except httpx.TimeoutException as exc:
            raise SmsProviderUnavailable("timed out") from exc
        except httpx.TransportError as exc:
            raise SmsProviderUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500:
            raise SmsProviderUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            # Twilio's error body carries a code and message; they name no secret.
            detail = response.json().get("message", "") if _is_json(response) else ""
            raise SmsDeliveryError(f"HTTP {response.status_code}: {detail}")
        log.info("sms_sent", provider=self.name, sid=response.json().get("sid"))

    async def aclose(self) -> None:
        await self._client.aclose()


def _is_json(response: httpx.Response) -> bool:
    content_type: str = response.headers.get("content-type", "")
    return content_type.startswith("application/json")


def create_sms_provider(settings: Settings) -> SmsProvider:
    if settings.sms_provider == "twilio":
        return TwilioSmsProvider(settings)
    if settings.sms_provider == "outbox":
        return OutboxSmsProvider()
    return ConsoleSmsProvider()
