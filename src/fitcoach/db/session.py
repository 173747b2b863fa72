"""Sessions per request. `DbSession`: one transaction per request, committed when the handler
returns and rolled back when it raises; work that must follow the commit (an SMS) is queued with
`after_commit`. `ReadSession`: what safe endpoints and authentication read through, in
autocommit and through the read caches (db/cache/reads.py); it is made when first asked for and
closed by `ReadSessionMiddleware` once the request is answered, so a request served from the
caches never checks out a connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from fitcoach.core.errors import DomainError
from fitcoach.db.cache.change_feed import ChangeFeed
from fitcoach.db.cache.writes import wrote_announced
from fitcoach.db.retry import COMMITTED_MARK

AfterCommitJob = Callable[[], Awaitable[None]]
BeforeCommitJob = Callable[[AsyncSession], None]
_AFTER_COMMIT_KEY = "fitcoach.after_commit"
# In the request's scope state: authentication registers its job before the handler's
# transaction exists.
_BEFORE_COMMIT_KEY = "fitcoach.before_commit"
_READ_SESSION_KEY = "fitcoach.read_session"


def before_commit(request: Request, job: BeforeCommitJob) -> None:
    """Run `job` with the request's transaction when the request succeeded, just before it
    commits."""
    request.scope["state"].setdefault(_BEFORE_COMMIT_KEY, []).append(job)


def after_commit(session: AsyncSession, job: AfterCommitJob) -> None:
    """Run `job` once this request's transaction has committed; dropped if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(job)


async def run_after_commit(session: AsyncSession) -> None:
    """Run the after-commit work of `session`, which has just committed (for transactions
    outside a request: background jobs)."""
    jobs: list[AfterCommitJob] = session.info.pop(_AFTER_COMMIT_KEY, [])
    for job in jobs:
        await job()


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def sessionmaker_of(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return factory


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    if request.method in READ_ONLY_METHODS:
        # Autocommit and write-refusing (db.engine.ReadOnlySession): nothing to commit or roll
        # back; closing the session hands the connection back.
        read_only: async_sessionmaker[AsyncSession] = request.app.state.read_only_sessionmaker
        async with read_only() as session:
            yield session
        return
    async with sessionmaker_of(request)() as session:
        try:
            yield session
        except DomainError as exc:
            if exc.commit_on_raise:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            for prepare in request.scope["state"].pop(_BEFORE_COMMIT_KEY, []):
                prepare(session)
            await session.commit()
            setattr(request.state, COMMITTED_MARK, True)
            # This worker's caches drop what the commit changed before the answer goes out, so
            # the caller's next request never reads what it has just replaced.
            # Only a commit that wrote a cached table has anything to wait for (db.cache.writes).
            change_feed: ChangeFeed | None = request.app.state.change_feed
            if change_feed is not None and wrote_announced(session):
                await change_feed.catch_up()
        await run_after_commit(session)


# scope="function": the commit (and any error it raises) happens before the response is sent,
# so a client is never told "success" about a transaction that then failed.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]


def read_session_of(request: Request) -> AsyncSession:
    """The request's read session, made on first use (one per request, however many ask)."""
    state = request.scope["state"]
    session: AsyncSession | None = state.get(_READ_SESSION_KEY)
    if session is None:
        read_only: async_sessionmaker[AsyncSession] = request.app.state.read_only_sessionmaker
        session = state[_READ_SESSION_KEY] = read_only()
    return session


async def _read_session(request: Request) -> AsyncSession:
    return read_session_of(request)


# A plain function, not a generator: FastAPI's per-request exit stack for a generator costs more
# than a cached read itself. The middleware below closes the session.
ReadSession = Annotated[AsyncSession, Depends(_read_session)]


class ReadSessionMiddleware:
    """Closes the request's read session, if one was made, once the request is answered. It
    sits inside the transaction replays (db.retry), so each attempt closes its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            state = scope.get("state")
            session = state.pop(_READ_SESSION_KEY, None) if state is not None else None
            # A request served from the caches made a session but never used it: nothing to
            # hand back, and closing costs as much as the rest of such a request.
            if session is not None and (session.in_transaction() or session.identity_map):
                await session.close()
