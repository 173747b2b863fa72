"""One-time codes: the one implementation of a secret that is issued, stored only as a keyed
hash, lives a while, allows a capped number of checks and is spent by its first success.

SMS codes (auth/otp), e-mail verification codes (auth/email_verification) and the tokens of MFA
login challenges (auth/mfa) keep their own tables, because each is keyed by a different owner
(phone and purpose, address, user), but every rule about the secret is here. Counting an attempt
and spending are single conditional UPDATEs, so concurrent requests cannot both pass a check that
only one of them should pass."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.config import Settings
from fitcoach.core.crypto import derive_key, keyed_hash, random_digits, same_digest
from fitcoach.core.errors import DomainError

DIGITS = 6


class CodeRow(Protocol):
    """The columns every one-time-code table has (besides its owner and its hash)."""

    id: uuid.UUID
    attempts: int
    expires_at: datetime
    consumed_at: datetime | None
    created_at: datetime


RowT = TypeVar("RowT", bound=CodeRow)
# Runs once an attempt is counted, given the attempt's number; raises the caller's own error when
# the presented proof is wrong (the attempt stays counted).
Check = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Refusals:
    """The errors a kind of code answers with."""

    unknown: Callable[[], DomainError]  # no live code, or another request spent it first
    expired: Callable[[], DomainError]
    exhausted: Callable[[], DomainError]


@dataclass(frozen=True)
class NewCode:
    """What to issue: the owner's columns, what the hash binds the secret to (so a code of one
    phone or purpose cannot pass for another's) and how long it lives."""

    owner: Mapping[str, object]
    bound_to: tuple[str, ...]
    lifetime: timedelta
    now: datetime
    secret: str | None = None  # a fixed code (test numbers); otherwise a fresh one


@dataclass(frozen=True)
class IssuedCode(Generic[RowT]):
    row: RowT
    secret: str


@dataclass(frozen=True)
class Attempt:
    """One check of a presented code: spend it on success, or only confirm it (the attempt a
    right code reserved is given back either way)."""

    max_attempts: int
    now: datetime
    spend: bool = True


def _changed_one(result: object) -> bool:
    rows: CursorResult[tuple[()]] = result  # type: ignore[assignment]
    return rows.rowcount == 1


def _fresh_digits() -> str:
    return random_digits(DIGITS)


class OnetimeCodes(Generic[RowT]):
    """The rules for one table of codes."""

    def __init__(
        self,
        model: type[RowT],
        *,
        key_purpose: str,
        refusals: Refusals,
        hash_column: str = "code_hash",
        fresh_secret: Callable[[], str] = _fresh_digits,
        one_live_per_owner: bool = True,
    ) -> None:
        self._model: Any = model
        self._key_purpose = key_purpose
        self.refusals = refusals
        self._hash_column = hash_column
        self._fresh_secret = fresh_secret
        self._one_live_per_owner = one_live_per_owner

    def digest(self, settings: Settings, *parts: str) -> str:
        return keyed_hash(derive_key(settings.signing_secret, self._key_purpose), *parts)

    def matches(self, settings: Settings, row: RowT, bound_to: tuple[str, ...], code: str) -> bool:
        stored: str = getattr(row, self._hash_column)
        return same_digest(self.digest(settings, *bound_to, code), stored)

    def _owned_by(self, owner: Mapping[str, object]) -> list[ColumnElement[bool]]:
        return [getattr(self._model, column) == value for column, value in owner.items()]

    async def issue(
        self, session: AsyncSession, settings: Settings, new: NewCode
    ) -> IssuedCode[RowT]:
        """Store a new code (its hash only); with one live code per owner, earlier ones die."""
        if self._one_live_per_owner:
            await session.execute(
                update(self._model)
                .where(*self._owned_by(new.owner), self._model.consumed_at.is_(None))
                .values(consumed_at=new.now)
                .execution_options(synchronize_session=False)
            )
        secret = new.secret or self._fresh_secret()
        row: RowT = self._model(
            **new.owner,
            **{self._hash_column: self.digest(settings, *new.bound_to, secret)},
            attempts=0,
            expires_at=new.now + new.lifetime,
            created_at=new.now,
        )
        session.add(row)
        await session.flush()
        return IssuedCode(row=row, secret=secret)

    async def newest(self, session: AsyncSession, *where: ColumnElement[bool]) -> RowT | None:
        """The owner's most recent code, spent or not (resend cooldowns start from it)."""
        result = await session.execute(
            select(self._model).where(*where).order_by(self._model.created_at.desc()).limit(1)
        )
        row: RowT | None = result.scalar_one_or_none()
        return row

    async def live(self, session: AsyncSession, *where: ColumnElement[bool]) -> RowT | None:
        """The owner's newest unspent code: the only one that can pass."""
        return await self.newest(session, *where, self._model.consumed_at.is_(None))

    async def find(self, session: AsyncSession, settings: Settings, secret: str) -> RowT | None:
        """The unspent code whose hash is the secret's alone (a token that names its own row)."""
        return await self.newest(
            session,
            getattr(self._model, self._hash_column) == self.digest(settings, secret),
            self._model.consumed_at.is_(None),
        )

    async def delete(self, session: AsyncSession, code_id: uuid.UUID) -> None:
        await session.execute(delete(self._model).where(self._model.id == code_id))

    async def spend_if_right(
        self,
        session: AsyncSession,
        owner: Sequence[ColumnElement[bool]],
        right: ColumnElement[bool],
        attempt: Attempt,
    ) -> bool:
        """Spend the owner's newest live code in one statement when `right` (a condition on its
        hash, which is keyed and so comparable in SQL) says the presented code is it, and it is
        neither expired nor out of attempts. False otherwise: the caller then runs
        `check_and_spend`, which tells why. A right code, the usual case, costs one round trip
        instead of a lookup, a reservation and a spend; the outcome is theirs exactly (the
        attempt a right code reserves is given back)."""
        newest_live = (
            select(self._model.id)
            .where(*owner, self._model.consumed_at.is_(None))
            .order_by(self._model.created_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        spent = await session.execute(
            update(self._model)
            .where(
                self._model.id == newest_live,
                self._model.consumed_at.is_(None),
                self._model.expires_at > attempt.now,
                self._model.attempts < attempt.max_attempts,
                right,
            )
            .values(consumed_at=attempt.now)
            .execution_options(synchronize_session=False)
        )
        return _changed_one(spent)

    async def check_and_spend(
        self, session: AsyncSession, row: RowT, check: Check, attempt: Attempt
    ) -> None:
        """Reserve one of the capped attempts atomically, run `check`, and when it passes give
        the attempt back and (if asked) spend the code. Raises the kind's refusals."""
        if row.expires_at <= attempt.now:
            raise self.refusals.expired()
        if row.attempts >= attempt.max_attempts:
            raise self.refusals.exhausted()
        reserved = await session.execute(
            update(self._model)
            .where(
                self._model.id == row.id,
                self._model.attempts < attempt.max_attempts,
                self._model.consumed_at.is_(None),
            )
            .values(attempts=self._model.attempts + 1)
            .returning(self._model.attempts)
            .execution_options(synchronize_session=False)
        )
        attempts: int | None = reserved.scalar_one_or_none()
        if attempts is None:
            if await self._gone(session, row.id):
                raise self.refusals.unknown()
            raise self.refusals.exhausted()
        await check(attempts)
        values: dict[str, object] = {"attempts": self._model.attempts - 1}
        if attempt.spend:
            values["consumed_at"] = attempt.now
        given_back = await session.execute(
            update(self._model)
            .where(self._model.id == row.id, self._model.consumed_at.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not _changed_one(given_back):
            raise self.refusals.unknown()

    async def _gone(self, session: AsyncSession, code_id: uuid.UUID) -> bool:
        """Spent or deleted (a code whose message never left) since it was read."""
        result = await session.execute(
            select(self._model.consumed_at.is_(None)).where(self._model.id == code_id)
        )
        return not result.scalar_one_or_none()
