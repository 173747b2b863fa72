"""How a route takes `Idempotency-Key`: declare `dependencies=[idempotent]` on a POST of a
router made with `route_class=IdempotentRoute`.

The dependency claims the key in the request's transaction before the handler runs (a second
request with the key waits for the first, then replays its answer); the route class writes the
handler's answer into the claim before that transaction commits. So the effect and the answer
to replay commit together or not at all, in the database every worker shares. Only an answer
that committed is remembered: after an error the key is free for the retry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access.dependencies import CurrentUser
from fitcoach.core.errors import DomainError
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.handlers import AnswerNow
from fitcoach.idempotency.exceptions import IdempotencyKeyInProgress, IdempotencyKeyReused
from fitcoach.idempotency.repository import idempotency_repository
from fitcoach.models import IdempotencyKey

_CLAIM = "fitcoach.idempotency_claim"
# What describes the result, not this one exchange (request id, rate-limit budget, date).
_REPLAYED_HEADERS = frozenset({"content-type", "location"})
REPLAYED_HEADER = "Idempotent-Replayed"

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "Any unique string (a UUID) per intended effect. A retry with the same key and body "
            "gets the first answer again (with `Idempotent-Replayed: true`) and no second "
            "effect; the same key with another body is refused (422, idempotency_key_reused). "
            "Keys are kept 24 hours, per caller."
        ),
        examples=["5f0c7e8e-2b7a-4df4-9a53-2f1f0f4f7d10"],
    ),
]


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The request a key stands for: the same JSON in another spacing or key order is the
    same request."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(f"{method} {path}\n".encode() + canonical).hexdigest()


async def _idempotent(
    request: Request,
    caller: CurrentUser,
    session: DbSession,
    clock: ClockDep,
    key: IdempotencyKeyHeader = None,
) -> None:
    if key is None:
        return
    if not isinstance(request.scope.get("route"), IdempotentRoute):
        raise RuntimeError("`idempotent` needs its router made with route_class=IdempotentRoute")
    now = clock.now()
    requested = fingerprint(request.method, request.url.path, await request.body())
    claim = IdempotencyKey(owner_id=caller.id, key=key, fingerprint=requested)
    if await idempotency_repository.claim(session, claim, now) is not None:
        request.scope["state"][_CLAIM] = (session, claim)
        return
    first = await idempotency_repository.find(session, caller.id, key)
    if first.fingerprint != requested:
        raise IdempotencyKeyReused()
    if first.status_code is None or first.response_body is None:
        raise IdempotencyKeyInProgress()
    headers = {**(first.response_headers or {}), REPLAYED_HEADER: "true"}
    raise AnswerNow(
        Response(first.response_body.encode(), status_code=first.status_code, headers=headers)
    )


idempotent = Depends(_idempotent)


class IdempotentRoute(APIRoute):
    """Writes the answer of a request that claimed an idempotency key into its claim. The route
    handler returns before the request's transaction commits, so the answer commits with the
    effect."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def remember_answer(request: Request) -> Response:
            try:
                response = await handler(request)
            except DomainError as error:
                await _release(request, error)
                raise
            claimed: tuple[AsyncSession, IdempotencyKey] | None = request.scope["state"].pop(
                _CLAIM, None
            )
            if claimed is not None:
                _, claim = claimed
                claim.status_code = response.status_code
                claim.response_body = bytes(response.body).decode()
                claim.response_headers = {
                    name: value
                    for name, value in response.headers.items()
                    if name in _REPLAYED_HEADERS
                }
            return response

        return remember_answer


async def _release(request: Request, error: DomainError) -> None:
    """An error that commits its transaction (a counted failure) must not commit the claim
    too: the key would stay claimed with no answer to replay."""
    claimed = request.scope["state"].pop(_CLAIM, None)
    if claimed is not None and error.commit_on_raise:
        session, claim = claimed
        await session.delete(claim)
        await session.flush()
