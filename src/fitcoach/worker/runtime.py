"""How a transaction reaches the engine that runs background work in this process: the engine
attaches itself to the app's sessionmaker, so work recorded in a transaction can wake the relay
or hand a job out as soon as that transaction commits, instead of at the next poll."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.db.session import after_commit

RUNTIME_KEY = "fitcoach.worker.runtime"
_WAKE_REGISTERED_KEY = "fitcoach.worker.wake_registered"


class Runtime(Protocol):
    def now(self) -> datetime:
        """The app's clock (a frozen one in tests): jobs fall due by it."""

    async def relay_now(self) -> None:
        """New events are in the outbox: relay them now."""

    async def kick(self, job_id: uuid.UUID) -> None:
        """`job_id` is due now: run it (embedded) or hand it to the broker."""


def attach_runtime(sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime) -> None:
    """Beside whatever else the app keeps on its sessions' info (the stream broker, the
    notification dispatcher)."""
    info = dict(sessionmaker.kw.get("info") or {})
    info[RUNTIME_KEY] = runtime
    sessionmaker.configure(info=info)


def runtime_of(session: AsyncSession) -> Runtime | None:
    runtime: Runtime | None = session.info.get(RUNTIME_KEY)
    return runtime


def wake_relay_after_commit(session: AsyncSession) -> None:
    runtime = runtime_of(session)
    if runtime is None or session.info.get(_WAKE_REGISTERED_KEY):
        return
    session.info[_WAKE_REGISTERED_KEY] = True

    async def wake() -> None:
        session.info.pop(_WAKE_REGISTERED_KEY, None)
        await runtime.relay_now()

    after_commit(session, wake)


def kick_after_commit(session: AsyncSession, job_id: uuid.UUID) -> None:
    runtime = runtime_of(session)
    if runtime is not None:
        after_commit(session, lambda: runtime.kick(job_id))
