"""One transaction per request: the session dependency commits when the handler returns and rolls
back when it raises. Work that must follow the commit (an SMS) is queued with `after_commit`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.db.change_feed import ChangeFeed
from fitcoach.db.retry import COMMITTED_MARK
from fitcoach.kit.errors import DomainError

AfterCommitJob = Callable[[], Awaitable[None]]
BeforeCommitJob = Callable[[], None]
_AFTER_COMMIT_KEY = "fitcoach.after_commit"
_BEFORE_COMMIT_KEY = "fitcoach.before_commit"


def before_commit(session: AsyncSession, job: BeforeCommitJob) -> None:
    """Run `job` when the request succeeded, just before its transaction commits."""
    session.info.setdefault(_BEFORE_COMMIT_KEY, []).append(job)


def after_commit(session: AsyncSession, job: AfterCommitJob) -> None:
    """Run `job` once this request's transaction has committed; dropped if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(job)


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
            for prepare in session.info.pop(_BEFORE_COMMIT_KEY, []):
                prepare()
            await session.commit()
            setattr(request.state, COMMITTED_MARK, True)
            # This worker's caches drop what the commit changed before the answer goes out, so
            # the caller's next request never reads what it has just replaced.
            change_feed: ChangeFeed | None = request.app.state.change_feed
            if change_feed is not None:
                await change_feed.catch_up()
        jobs: list[AfterCommitJob] = session.info.pop(_AFTER_COMMIT_KEY, [])
        for job in jobs:
            await job()


# scope="function": the commit (and any error it raises) happens before the response is sent,
# so a client is never told "success" about a transaction that then failed.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
