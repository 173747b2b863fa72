"""Proving an account's e-mail address with a mailed code. Public: the code is the proof; rate
limited per client IP."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from fitcoach.auth.email_verification.dependencies import EmailDeliveryDep
from fitcoach.auth.email_verification.schemas import EmailIn, EmailVerifyIn
from fitcoach.auth.email_verification.service import email_verification_service
from fitcoach.auth.rate_limits import CHECK_LIMIT, SEND_LIMIT
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import MessageEnvelope, error_responses, said
from fitcoach.http.ratelimit import RateLimit

router = APIRouter(prefix="/auth/email", tags=["auth"])


@router.post(
    "/verify",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.email.verify", CHECK_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Verify an account's email with the code mailed to it (public: the code is proof)",
)
async def verify_email(
    body: EmailVerifyIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> MessageEnvelope:
    await email_verification_service.verify_address(
        session, settings, body.email, body.code, clock.now()
    )
    return said("Email verified successfully")


@router.post(
    "/send-code",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.email.send", SEND_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Mail a new verification code (public); same answer for unknown or verified emails",
)
async def send_email_code(
    body: EmailIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: EmailDeliveryDep,
) -> MessageEnvelope:
    await email_verification_service.send_code(session, settings, body.email, delivery, clock.now())
    return said("If this email awaits verification, a code has been sent")
