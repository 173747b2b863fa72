"""Announce calendar changes on the change feed (PostgreSQL only).

Workers cache pages of coaches' calendars (scheduling/sessions/repository.py): sessions with
every booking. A session announces `calendar:<coach_id>` (the old coach's too when it moves);
a booking announces the coach of its session, which the row does not hold, so it has a function
of its own that reads it. TRUNCATE of either table sends `calendar:*`.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The topic is the first argument, as for fitcoach_announce_change, so the trigger reads the
# same way in pg_trigger (tests/db/test_change_feed_topics.py).
_BOOKING_FUNCTION = """
CREATE FUNCTION fitcoach_announce_session_coach() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    topic text := TG_ARGV[0];
    new_session uuid;
    old_session uuid;
    coach text;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        new_session := NEW.session_id;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_session := OLD.session_id;
    END IF;
    FOR coach IN
        SELECT DISTINCT coach_id::text FROM scheduled_sessions
        WHERE id = new_session OR id = old_session
    LOOP
        PERFORM pg_notify('fitcoach_changes', topic || ':' || coach);
    END LOOP;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_BOOKING_FUNCTION)
    op.execute(
        "CREATE TRIGGER scheduled_sessions_announce_calendar_rows "
        "AFTER INSERT OR UPDATE OR DELETE ON scheduled_sessions "
        "FOR EACH ROW EXECUTE FUNCTION fitcoach_announce_change('calendar', 'coach_id')"
    )
    op.execute(
        "CREATE TRIGGER session_bookings_announce_calendar_rows "
        "AFTER INSERT OR UPDATE OR DELETE ON session_bookings "
        "FOR EACH ROW EXECUTE FUNCTION fitcoach_announce_session_coach('calendar')"
    )
    for table in ("scheduled_sessions", "session_bookings"):
        op.execute(
            f"CREATE TRIGGER {table}_announce_calendar_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION fitcoach_announce_change('calendar')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("scheduled_sessions", "session_bookings"):
        for suffix in ("rows", "truncate"):
            op.execute(f"DROP TRIGGER {table}_announce_calendar_{suffix} ON {table}")
    op.execute("DROP FUNCTION fitcoach_announce_session_coach()")
