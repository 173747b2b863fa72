"""Whether a transaction wrote a table the change feed announces, so that a request that wrote
only tables nothing caches (an OTP code, an audit entry) skips the change
feed's catch-up round trip after its commit.

Each statement a session's connection executes passes `before_execute`: an INSERT, UPDATE or
DELETE (ORM flushes and Core alike) of an announced table marks the session, as does any text
statement that is not a plain SELECT or SHOW (it may write anything). Which tables count comes
from the database itself when the feed connects (`ANNOUNCED_TABLES`): every table with a
change-feed trigger, and every table whose rows a cascading foreign key carries into one (a
DELETE there deletes or updates rows of an announced table). Until that is known, every write
counts.

A SELECT that writes (through a data-modifying CTE or a function) would not be seen: the code
has none; one added would leave the writing worker's caches a notification behind for about a
millisecond, as every other worker always is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, TableClause, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import TextClause

# Every table with a change-feed trigger, and the tables cascading into them: by name.
ANNOUNCED_TABLES = """
WITH RECURSIVE announced(relid) AS (
    SELECT t.tgrelid FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE p.proname = 'fitcoach_announce_change' AND NOT t.tgisinternal
  UNION
    SELECT c.confrelid FROM pg_constraint c JOIN announced a ON c.conrelid = a.relid
    WHERE c.contype = 'f'
      AND (c.confdeltype IN ('c', 'n', 'd') OR c.confupdtype IN ('c', 'n', 'd'))
)
SELECT DISTINCT relname FROM pg_class WHERE oid IN (SELECT relid FROM announced)
"""

_WROTE = "fitcoach.wrote_announced"
# On a connection (its pool record's info) while a session's transaction holds it.
_SESSION_INFO = "fitcoach.session_info"
_READING_TEXT = ("select", "show", "begin", "savepoint", "release", "commit", "rollback")


class WriteTrackingSession(Session):
    """The session of requests that write: it notes whether they wrote an announced table."""


@event.listens_for(WriteTrackingSession, "after_begin")
def _hold(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    connection.info[_SESSION_INFO] = session.info


def wrote_announced(session: AsyncSession) -> bool:
    """Whether `session` wrote an announced table since last asked."""
    return bool(session.info.pop(_WROTE, False))


class AnnouncedWrites:
    """The announced tables, once known, and the engine events that mark writing sessions."""

    def __init__(self) -> None:
        self.tables: frozenset[str] | None = None

    def watch(self, engine: AsyncEngine) -> None:
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "before_execute", self._before_execute)
        event.listen(sync_engine.pool, "checkin", _release)

    def _before_execute(
        self, connection: Connection, statement: Any, *_args: Any, **_kwargs: Any
    ) -> None:
        target: dict[str, Any] | None = connection.info.get(_SESSION_INFO)
        if target is not None and _WROTE not in target and self.writes(statement):
            target[_WROTE] = True

    def writes(self, statement: object) -> bool:
        """Whether `statement` may change a row of an announced table."""
        if isinstance(statement, UpdateBase):
            table = getattr(statement, "table", None)
            if self.tables is None or not isinstance(table, TableClause):
                return True
            return table.name in self.tables
        if isinstance(statement, (TextClause, str)):
            text = statement.text if isinstance(statement, TextClause) else statement
            return not text.lstrip().lower().startswith(_READING_TEXT)
        return False


def _release(_dbapi_connection: object, record: Any) -> None:
    record.info.pop(_SESSION_INFO, None)
