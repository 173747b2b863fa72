"""Announce changes of what a customer's day shows on the change feed (PostgreSQL only).

Workers cache each customer's rendered day (training/today/service.py). What is the customer's
own announces `training_day:<customer_id>`: their time zone (users), their plan assignments,
logs and substitutions. What many customers share (plans, their items, schedules and habits,
and the exercise library) announces `training_day:*`, once per statement: a template plan is
followed by thousands, and naming each follower would cost a notification apiece. Those tables
change when a coach edits a plan, seldom beside the reads. TRUNCATE of any of them sends
`training_day:*`.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOPIC = "training_day"
# (table, key column): a row announces its customer.
_OWN = (
    ("users", "id"),
    ("plan_assignments", "customer_id"),
    ("item_logs", "customer_id"),
    ("item_substitutions", "customer_id"),
)
# Shared by many customers: every statement announces them all.
_SHARED = ("plans", "plan_items", "plan_schedules", "habits", "exercises")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _OWN:
        op.execute(
            f"CREATE TRIGGER {table}_announce_{_TOPIC}_rows "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION fitcoach_announce_change('{_TOPIC}', '{column}')"
        )
    for table in _SHARED:
        op.execute(
            f"CREATE TRIGGER {table}_announce_{_TOPIC}_rows "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION fitcoach_announce_change('{_TOPIC}')"
        )
    for table in (*(table for table, _ in _OWN), *_SHARED):
        op.execute(
            f"CREATE TRIGGER {table}_announce_{_TOPIC}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION fitcoach_announce_change('{_TOPIC}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in (*(table for table, _ in _OWN), *_SHARED):
        for suffix in ("rows", "truncate"):
            op.execute(f"DROP TRIGGER {table}_announce_{_TOPIC}_{suffix} ON {table}")
