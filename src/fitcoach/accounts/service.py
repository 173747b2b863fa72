"""Account management for the admin console and the operator's CLI: staff accounts, roles and
blocks, each an orchestration of the domains that own the rule (users, sign-in sessions,
coach assignments) with its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.accounts.exceptions import CannotBlockSelf, CannotRemoveOwnAdminRole
from fitcoach.audit.service import AuditEvent, audit_service, changes_between, secret_changed
from fitcoach.auth.identifiers import parse_email, parse_phone
from fitcoach.auth.password_hashing import hash_password
from fitcoach.auth.tokens.service import session_service
from fitcoach.config import Settings
from fitcoach.customers.service import customers_service
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, User
from fitcoach.models.enums import Role
from fitcoach.users.exceptions import EmailAlreadyRegistered
from fitcoach.users.service import NewUser, UserFilter, user_service

DEFAULT_ADMIN_NAME = "Administrator"


@dataclass(frozen=True)
class StaffAccount:
    """A coach or admin account the console creates; phone and email as the admin typed them."""

    name: str
    roles: Sequence[Role]
    password: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ProvisionedAdmin:
    user: User
    promoted: bool


class AccountsService:
    async def provision_admin(
        self,
        session: AsyncSession,
        *,
        phone: str,
        password_hash: str,
        name: str | None,
        email: str | None,
        now: datetime,
    ) -> ProvisionedAdmin:
        """Create an admin, or make the phone's user one and set their password (the operator's
        way in, `fitcoach create-admin`; the trail names the system as the actor)."""
        user = await user_service.find_by_phone(session, phone)
        if user is None:
            user = await user_service.create(
                session,
                NewUser(
                    name=name or DEFAULT_ADMIN_NAME,
                    roles=[Role.ADMIN],
                    phone=phone,
                    email=email,
                    password_hash=password_hash,
                ),
            )
            audit_service.record(
                session,
                AuditEvent(
                    action="user.created",
                    resource_type="user",
                    resource_id=user.id,
                    changes=changes_between(
                        {}, {"roles": ["ADMIN"], "phone": phone, "email": email}
                    ),
                ),
                now,
            )
            return ProvisionedAdmin(user=user, promoted=False)
        before = {"roles": sorted(user.roles), "name": user.name, "email": user.email}
        if email is not None and email != user.email:
            if await user_service.find_by_email(session, email) is not None:
                raise EmailAlreadyRegistered()
            user.email = email
        user_service.grant_role(user, Role.ADMIN)
        user.password_hash = password_hash
        if name is not None:
            user.name = name
        after = {"roles": sorted(user.roles), "name": user.name, "email": user.email}
        audit_service.record(
            session,
            AuditEvent(
                action="user.roles.changed",
                resource_type="user",
                resource_id=user.id,
                changes={**changes_between(before, after), **secret_changed("password")},
            ),
            now,
        )
        return ProvisionedAdmin(user=user, promoted=True)

    async def create_user(
        self,
        session: AsyncSession,
        settings: Settings,
        account: StaffAccount,
        now: datetime,
    ) -> User:
        """A coach or an admin, signing in with the password the admin chose; addresses are
        unverified until their owner proves them."""
        email = parse_email(account.email) if account.email is not None else None
        phone = parse_phone(settings, account.phone) if account.phone is not None else None
        user = await user_service.create(
            session,
            NewUser(
                name=account.name,
                roles=list(account.roles),
                phone=phone,
                email=email,
                password_hash=await hash_password(account.password),
            ),
        )
        audit_service.record(
            session,
            AuditEvent(
                action="user.created",
                resource_type="user",
                resource_id=user.id,
                changes={
                    **changes_between(
                        {},
                        {
                            "name": user.name,
                            "roles": sorted(user.roles),
                            "phone": phone,
                            "email": email,
                        },
                    ),
                    **secret_changed("password"),
                },
            ),
            now,
        )
        return user

    async def list_users(
        self, session: AsyncSession, where: UserFilter, sort: str, page: PageRequest
    ) -> tuple[list[User], int]:
        return await user_service.search(session, where, sort, page)

    async def set_roles(
        self,
        session: AsyncSession,
        admin: Actor,
        user_id: uuid.UUID,
        roles: set[Role],
        now: datetime,
    ) -> User:
        """Replace a user's roles. Roles are read from the database on every request, so a role
        taken away stops working on the user's next request; a coach who stops being one also
        stops being assigned to customers."""
        if user_id == admin.id and Role.ADMIN not in roles:
            raise CannotRemoveOwnAdminRole()
        user = await user_service.lock(session, user_id)
        before = sorted(user.roles)
        await user_service.set_roles(session, user, roles)
        if Role.COACH in before and Role.COACH not in roles:
            await customers_service.end_assignments_of_coach(session, admin, user.id, now)
        audit_service.record(
            session,
            AuditEvent(
                action="user.roles.changed",
                resource_type="user",
                resource_id=user.id,
                changes=changes_between({"roles": before}, {"roles": sorted(user.roles)}),
            ),
            now,
        )
        return user

    async def block_user(
        self, session: AsyncSession, admin: Actor, user_id: uuid.UUID, now: datetime
    ) -> None:
        """Blocked users are refused at sign-in and on every request; ending their sessions
        also kills their refresh tokens, so nothing they hold keeps working."""
        if user_id == admin.id:
            raise CannotBlockSelf()
        user = await user_service.lock(session, user_id)
        if user.is_blocked:
            # Blocking twice changes nothing, so the trail records nothing; the sessions are
            # ended again all the same, which is what a repeated click asks for.
            audit_service.record_nothing_changed()
        else:
            self._record_block_change(session, user, blocked=True, now=now)
            user_service.set_blocked(user, True, now)
        await session_service.revoke_all_sessions(session, user_id, now, "blocked")
        await session.flush()

    async def unblock_user(self, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
        user = await user_service.lock(session, user_id)
        if not user.is_blocked:
            audit_service.record_nothing_changed()
            return
        self._record_block_change(session, user, blocked=False, now=now)
        user_service.set_blocked(user, False, now)
        await session.flush()

    def _record_block_change(
        self, session: AsyncSession, user: User, *, blocked: bool, now: datetime
    ) -> None:
        audit_service.record(
            session,
            AuditEvent(
                action="user.blocked" if blocked else "user.unblocked",
                resource_type="user",
                resource_id=user.id,
                changes=changes_between({"isBlocked": user.is_blocked}, {"isBlocked": blocked}),
            ),
            now,
        )


accounts_service = AccountsService()
