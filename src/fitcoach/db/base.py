"""Declarative Base with a naming convention, so constraint names are the same on SQLite and
PostgreSQL and migrations can refer to them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fitcoach.core.clock import Clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always handed back zone-aware, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}  # noqa: RUF012


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


# The execution option that carries the app's clock to every statement of its sessions.
CLOCK_OPTION = "fitcoach_clock"
# What a connection that was given no clock (a script, a migration test seeding rows) stamps
# with: the same clock the app uses in production.
_SYSTEM_CLOCK = Clock()


def with_clock(engine: AsyncEngine, clock: Clock) -> AsyncEngine:
    """`engine` (same pool) whose statements stamp TimestampMixin columns from `clock`."""
    return engine.execution_options(**{CLOCK_OPTION: clock})


def _clock_now(context: DefaultExecutionContext) -> datetime:
    clock: Clock = context.execution_options.get(CLOCK_OPTION, _SYSTEM_CLOCK)
    return clock.now()


def _created_now(context: DefaultExecutionContext) -> datetime:
    """A new row's updated_at is its created_at, not a reading of the clock a moment later."""
    parameters: dict[str, object] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    created = parameters.get("created_at")
    return created if isinstance(created, datetime) else _clock_now(context)


class TimestampMixin:
    """`created_at` and `updated_at` of every table, stamped in one place by one rule: the
    injected clock (core.clock.Clock; tests move a FrozenClock), never the database's clock and
    never by the code that writes the row.

    Why the app's clock and not the database's: the rules compare these columns with the
    request's `now` (an OTP's resend window, "newest first" listings), so both must come from
    the clock tests control; and SQLite's CURRENT_TIMESTAMP counts whole seconds.

    How: the columns' default and onupdate read the clock from the statement's execution options
    (`with_clock`, applied by db.engine.create_sessionmaker), so ORM flushes and Core INSERT and
    UPDATE statements (`update(Product).values(...)`) are stamped alike. An INSERT sets both to
    the same instant; any UPDATE of the row that does not name `updated_at` sets it to now. A
    connection without a clock (scripts, tests seeding through a bare engine) uses the system
    clock. Code never assigns `created_at`; it assigns `updated_at` (with the request's `now`,
    from the same clock) only to count a change of related rows as a change of this one (a
    plan's items, a product's add-ons).

    Every table has the mixin (migration 20261207_0013) but the audit log, which is append-only:
    its `occurred_at`, from the same clock, is its creation time and it is never updated.
    """

    created_at: Mapped[datetime] = mapped_column(default=_clock_now, sort_order=1000)
    updated_at: Mapped[datetime] = mapped_column(
        default=_created_now, onupdate=_clock_now, sort_order=1001
    )
