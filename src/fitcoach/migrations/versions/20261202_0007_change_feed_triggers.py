"""Announce changes of cached rows on the change feed (PostgreSQL only).

Every worker caches accounts, plans and settings between requests (db/change_feed.py); these
triggers tell them what changed, in the transaction that changed it, whoever wrote it. A row
trigger sends `<topic>:<key>` with the key read from the row (from both the old and the new
row when an update moved it); TRUNCATE sends `<topic>:*`, which empties the caches of that topic.
SQLite has no feed (and no cache), so it gets nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, topic, key column): what each cached table announces.
_ANNOUNCED = (
    ("users", "user", "id"),
    ("user_roles", "user", "user_id"),
    ("auth_sessions", "user", "user_id"),
    ("subscriptions", "user", "user_id"),
    ("plans", "plan", "id"),
    ("plans", "owner_plans", "owner_id"),
    ("plan_items", "plan", "plan_id"),
    ("settings", "settings", None),
)

_FUNCTION = """
CREATE FUNCTION fitcoach_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    topic text := TG_ARGV[0];
    key_column text := TG_ARGV[1];
    new_key text;
    old_key text;
BEGIN
    IF TG_OP = 'TRUNCATE' OR key_column IS NULL THEN
        PERFORM pg_notify('fitcoach_changes', topic || ':*');
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_key := to_jsonb(NEW) ->> key_column;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_key := to_jsonb(OLD) ->> key_column;
    END IF;
    IF new_key IS NOT NULL THEN
        PERFORM pg_notify('fitcoach_changes', topic || ':' || new_key);
    END IF;
    IF old_key IS NOT NULL AND old_key IS DISTINCT FROM new_key THEN
        PERFORM pg_notify('fitcoach_changes', topic || ':' || old_key);
    END IF;
    RETURN NULL;
END
$$
"""


def _trigger_name(table: str, topic: str, suffix: str) -> str:
    return f"{table}_announce_{topic}_{suffix}"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    for table, topic, column in _ANNOUNCED:
        arguments = f"'{topic}', '{column}'" if column else f"'{topic}'"
        level = "ROW" if column else "STATEMENT"
        op.execute(
            f"CREATE TRIGGER {_trigger_name(table, topic, 'rows')} "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH {level} EXECUTE FUNCTION fitcoach_announce_change({arguments})"
        )
        op.execute(
            f"CREATE TRIGGER {_trigger_name(table, topic, 'truncate')} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION fitcoach_announce_change('{topic}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, topic, _column in _ANNOUNCED:
        for suffix in ("rows", "truncate"):
            op.execute(f"DROP TRIGGER {_trigger_name(table, topic, suffix)} ON {table}")
    op.execute("DROP FUNCTION fitcoach_announce_change()")
