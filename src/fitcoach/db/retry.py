"""Transaction conflicts (a PostgreSQL deadlock or serialization failure) roll the whole request
transaction back, so running the request again is safe: nothing it wrote was kept, and the work
queued with `after_commit` (an SMS) never ran. This middleware replays such a request a few
times, with its recorded body, before letting the clean 503 that the error handler made for it
reach the client.

SQLite's "database is locked" is not replayed: it comes only after the busy timeout (30 s) has
been waited out, so a replay would keep the client waiting that long again; it is answered 503
at once, as every other OperationalError."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# SQLSTATE class 40: serialization_failure and deadlock_detected.
_CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})
# The error handler marks the request's state with this key when it answers a conflict.
CONFLICT_MARK = "transaction_conflict"
# The request session marks its request once the transaction committed: a conflict after that
# (in work that follows the commit, such as an SMS's cleanup) must not replay the request, or
# what it committed and sent would happen twice.
COMMITTED_MARK = "transaction_committed"
# Spread the replays of requests that conflicted with each other, so they do not meet again.
_BACKOFF_SECONDS = (0.01, 0.05)
# db.session's READ_ONLY_METHODS (which imports this module).
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_transaction_conflict(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    original: Any = exc.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return sqlstate in _CONFLICT_SQLSTATES


class TransactionRetryMiddleware:
    """Runs a request up to `retries` more times while its answer is a marked conflict. Only the
    last attempt's answer is sent; earlier ones are dropped before their first byte."""

    def __init__(self, app: ASGIApp, *, retries: int) -> None:
        self.app = app
        self.retries = retries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A safe request reads in autocommit (db.session): no transaction that could conflict,
        # so nothing to record or replay, and the hottest requests skip the bookkeeping.
        if scope["type"] != "http" or self.retries == 0 or scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        recorded: list[Message] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                recorded.append(message)
            return message

        # Each attempt starts from the request state the outer layers set; the scope itself is
        # shared, so they still see what routing recorded in it (the matched route).
        outer_state: dict[str, Any] = dict(scope.get("state", {}))
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(random.uniform(*_BACKOFF_SECONDS))  # noqa: S311 - jitter
            scope["state"] = dict(outer_state)
            replay = _Replay(list(recorded), recording_receive)
            final = attempt == self.retries
            if not await self._attempt(scope, replay.receive, send, final=final):
                return

    async def _attempt(self, scope: Scope, receive: Receive, send: Send, *, final: bool) -> bool:
        """Run the request once; True when its answer was a conflict and was dropped."""
        state: dict[str, Any] = scope["state"]
        dropped = False

        async def attempt_send(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start":
                dropped = not final and bool(state.get(CONFLICT_MARK))
            if not dropped:
                await send(message)

        await self.app(scope, receive, attempt_send)
        return dropped


class _Replay:
    """The body messages an earlier attempt read, then whatever the client still sends."""

    def __init__(self, recorded: list[Message], receive: Receive) -> None:
        self._recorded = iter(recorded)
        self._receive = receive

    async def receive(self) -> Message:
        message = next(self._recorded, None)
        return message if message is not None else await self._receive()
