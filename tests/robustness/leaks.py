"""What no response may contain: passwords and their hashes, one-time codes, stored token and
code hashes, TOTP secrets and recovery codes, the signing secret, and the world's own tokens.
The contract hands some of these over in named fields of `data` (tokens at sign-in, the TOTP
secret at setup, recovery codes at confirmation); those fields are left out of the check."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, union_all

from fitcoach.auth.otp.providers import OutboxSmsProvider
from fitcoach.models import (
    AuthSession,
    EmailVerificationCode,
    MfaChallenge,
    MfaRecoveryCode,
    MfaTotp,
    OtpCode,
    RefreshToken,
)
from fitcoach.notifications.email import OutboxEmailProvider
from tests.factories import STRONG_PASSWORD
from tests.robustness.world import World

ARGON2_PREFIX = "$argon2"
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class KnownSecrets:
    # Found anywhere in a body.
    substrings: frozenset[str]
    # Six-digit codes, looked for as JSON strings: bare six-digit runs occur in timestamps.
    codes: frozenset[str]

    def found_in(self, body: str) -> list[str]:
        leaked = [secret for secret in self.substrings if secret in body]
        leaked += [code for code in self.codes if f'"{code}"' in body]
        return sorted(leaked)


async def known_secrets(app: FastAPI, world: World, *passwords: str) -> KnownSecrets:
    """Every secret the world holds now, stored (hashes) or handed out (tokens, codes)."""
    user_ids = list(world.ids.values())
    sms: OutboxSmsProvider = app.state.sms_provider
    mail: OutboxEmailProvider = app.state.email_provider
    sms_sent = sms.messages[world.sms_sent_before :]
    mail_sent = mail.messages[world.emails_sent_before :]
    phones = [world.customer.phone, *(message.phone for message in sms_sent)]
    emails = [*world.emails.values(), *(message.to for message in mail_sent)]
    stored_secrets = union_all(
        select(RefreshToken.token_hash)
        .join(AuthSession, AuthSession.id == RefreshToken.session_id)
        .where(AuthSession.user_id.in_(user_ids)),
        select(OtpCode.code_hash).where(OtpCode.phone.in_(phones)),
        select(EmailVerificationCode.code_hash).where(EmailVerificationCode.email.in_(emails)),
        select(MfaTotp.secret_encrypted).where(MfaTotp.user_id.in_(user_ids)),
        select(MfaRecoveryCode.code_hash).where(MfaRecoveryCode.user_id.in_(user_ids)),
        select(MfaChallenge.token_hash).where(MfaChallenge.user_id.in_(user_ids)),
    )
    async with app.state.sessionmaker() as session:
        stored = list(await session.scalars(select(stored_secrets.subquery())))
    tokens = [
        token
        for account in world.accounts.values()
        for token in (account.access_token, account.refresh_token)
    ]
    return KnownSecrets(
        substrings=frozenset(
            {
                STRONG_PASSWORD,
                *passwords,
                ARGON2_PREFIX,
                app.state.settings.signing_secret,
                *stored,
                *tokens,
                *world.issued_secrets,
            }
        ),
        codes=frozenset(
            code
            for text in [m.text for m in sms_sent] + [m.text for m in mail_sent]
            for code in _CODE.findall(text)
        ),
    )


def visible_body(response: httpx.Response, hands_over: Collection[str]) -> str:
    """The body as a client reads it, less the fields where the contract hands secrets over."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body["data"] = {key: value for key, value in body["data"].items() if key not in hands_over}
    return json.dumps(body)
