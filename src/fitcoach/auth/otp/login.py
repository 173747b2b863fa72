"""Signing in and registering with a phone and an SMS code, and the two utility routes that send
a code or check one without spending it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.auth.identifiers import parse_phone
from fitcoach.auth.otp.exceptions import InvalidOtp
from fitcoach.auth.otp.service import CodeRequest, PresentedCode, SmsDelivery, otp_service
from fitcoach.auth.sign_in import Claim, Login, NewProfile, SignedIn, SignIn, sign_in_service
from fitcoach.config import Settings
from fitcoach.models.enums import OtpPurpose, Role
from fitcoach.users.service import NewUser, user_service

LOGIN_CODES = (OtpPurpose.auth,)


@dataclass(frozen=True)
class PhoneCode:
    """A phone number as typed and the code sent to it."""

    phone: str
    code: str


class OtpLoginService:
    async def send_login_code(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_phone: str,
        delivery: SmsDelivery,
        now: datetime,
    ) -> None:
        phone = parse_phone(settings, raw_phone)
        user = await user_service.find_by_phone(session, phone)
        # A blocked account gets the same answer, cooldown and caps as any phone, but no SMS: it
        # could not sign in with the code, and the answer must not tell that it is blocked.
        reachable = user is None or not user.is_blocked
        await otp_service.issue(
            session,
            settings,
            CodeRequest(phone, OtpPurpose.auth, now, delivery if reachable else None),
        )

    async def check_code(
        self, session: AsyncSession, settings: Settings, presented: PhoneCode, now: datetime
    ) -> bool:
        """Whether the code is the phone's live login code, without spending it. A wrong code is
        a plain "no" (its attempt still counts); expiry and the attempt cap are errors."""
        phone = parse_phone(settings, presented.phone)
        try:
            await otp_service.verify(
                session,
                settings,
                PresentedCode(phone, LOGIN_CODES, presented.code, now, spend=False),
            )
        except InvalidOtp:
            return False
        return True

    async def login(
        self, session: AsyncSession, settings: Settings, presented: PhoneCode, login: Login
    ) -> SignIn:
        phone = parse_phone(settings, presented.phone)
        user = await user_service.find_by_phone(session, phone)

        async def otp_check() -> bool:
            # The code is checked before the account, so an unknown phone is revealed only to the
            # holder of a valid code; it is not spent then, and serves /auth/otp/register next.
            await otp_service.verify(
                session,
                settings,
                PresentedCode(
                    phone, LOGIN_CODES, presented.code, login.now, spend=user is not None
                ),
            )
            return True

        user = await sign_in_service.checked(session, otp_check, user, login, Claim(phone))
        user.phone_verified = True
        return await sign_in_service.finish(session, settings, user, login)

    async def register(
        self,
        session: AsyncSession,
        settings: Settings,
        presented: PhoneCode,
        profile: NewProfile,
        login: Login,
    ) -> SignedIn:
        phone = parse_phone(settings, presented.phone)
        await otp_service.verify(
            session, settings, PresentedCode(phone, LOGIN_CODES, presented.code, login.now, True)
        )
        user = await user_service.create(
            session,
            NewUser(
                name=profile.name or "",
                roles=[Role.CUSTOMER],
                phone=phone,
                phone_verified=True,
                metrics=profile.metrics.to_metrics() if profile.metrics else None,
            ),
        )
        return await sign_in_service.registered(session, settings, user, login)


otp_login_service = OtpLoginService()
