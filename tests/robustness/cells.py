"""The pieces the access matrix's rows are made of: the request a cell makes (`Call`), how a
row builds it from the world (`Builder`), and the statuses a row expects of each actor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.robustness.world import Actor, World


@dataclass(frozen=True)
class Call:
    path: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    # Query parameters, for the routes that name their object there.
    params: Mapping[str, str] = field(default_factory=dict)
    # Multipart files, for uploads: field name -> (file name, content, content type).
    files: Mapping[str, tuple[str, bytes, str]] | None = None


Builder = Callable[[World, Actor], Awaitable[Call]]
# Builders that only read the world; the others change it before the request (send a code,
# start a TOTP setup, publish a product), so their cells always get a world of their own.
READ_ONLY: set[Builder] = set()


def reads_only(build: Builder) -> Builder:
    READ_ONLY.add(build)
    return build


@reads_only
async def no_input(world: World, actor: Actor) -> Call:
    return Call()


@dataclass(frozen=True)
class Row:
    expected: Mapping[Actor, int]
    call: Builder = no_input
    # Fields of the answer's `data` through which the contract hands secrets over.
    hands_over: frozenset[str] = frozenset()

    @property
    def is_public(self) -> bool:
        return all(status < 400 for status in self.expected.values())

    @property
    def call_reads_only(self) -> bool:
        return self.call in READ_ONLY


def public(status: int = 200) -> dict[Actor, int]:
    return dict.fromkeys(Actor, status)


def signed_in(
    customer: int, other_customer: int, assigned_coach: int, unassigned_coach: int, admin: int
) -> dict[Actor, int]:
    """A route behind sign-in: no token is 401, a blocked user 403 (so the app does not offer a
    new sign-in), a logged-out or expired token 401."""
    return {
        Actor.ANONYMOUS: 401,
        Actor.CUSTOMER: customer,
        Actor.OTHER_CUSTOMER: other_customer,
        Actor.ASSIGNED_COACH: assigned_coach,
        Actor.UNASSIGNED_COACH: unassigned_coach,
        Actor.ADMIN: admin,
        Actor.BLOCKED: 403,
        Actor.LOGGED_OUT: 401,
        Actor.EXPIRED: 401,
    }


def anyone_signed_in(status: int = 200) -> dict[Actor, int]:
    return signed_in(status, status, status, status, status)


def admin_only(status: int = 200) -> dict[Actor, int]:
    return signed_in(403, 403, 403, 403, status)


def call_on(**path: Callable[[World], object]) -> Callable[..., Builder]:
    """A builder from path ids, named as in the path template, and a body, each a function of
    the world."""

    def with_body(body: Callable[[World], Any] | None = None) -> Builder:
        @reads_only
        async def build(world: World, actor: Actor) -> Call:
            return Call(
                path={name: str(value(world)) for name, value in path.items()},
                json=body(world) if body is not None else None,
            )

        return build

    return with_body


def customer_id_of(world: World) -> str:
    return world.customer.user_id


def body_of(body: Callable[[World], Any]) -> Builder:
    return call_on()(body)
