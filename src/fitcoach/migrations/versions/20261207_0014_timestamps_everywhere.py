"""Every table gets `created_at` and `updated_at` (db.base.TimestampMixin), but the audit log.

Eight tables had both, twelve only `created_at`, settings and login sources only `updated_at`,
the rest neither (training's tables were born with the mixin but for two).
The audit log keeps only `occurred_at`: it is append-only (a PostgreSQL trigger refuses any
UPDATE), so an `updated_at` would always repeat it, and filling new columns would mean switching
that guard off and rewriting every row of the largest table.

The new columns are filled from what each row already tells about its past (a code's
`consumed_at`, an assignment's `assigned_at`, a child's parent row), and from the time of the
migration only where nothing does (coach rating totals, notification preferences and
settings, stream tickets). An idempotency key's answer is written in the transaction that
claimed it, so its `updated_at` is its `created_at`.

The columns end NOT NULL. PostgreSQL adds them nullable, fills them and then forbids NULL.
SQLite can add a NOT NULL column only with a constant default and cannot change a column's
nullability without rebuilding the table (which, with foreign keys on, would cascade-delete the
children of the rebuilt table, e.g. refresh tokens of auth_sessions). So on SQLite the columns
carry a placeholder default that every existing row is then filled over; the app always writes
both columns itself.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_PLACEHOLDER = "1970-01-01 00:00:00.000000"


def _parent(table: str, key: str, parent_column: str) -> str:
    return f"(SELECT {parent_column} FROM {table} WHERE {table}.id = {key})"  # noqa: S608


# (table, column, SQL expression over the row's own columns that fills it).
_FILLED: tuple[tuple[str, str, str], ...] = (
    ("user_roles", "created_at", _parent("users", "user_roles.user_id", "created_at")),
    ("user_roles", "updated_at", _parent("users", "user_roles.user_id", "created_at")),
    ("otp_codes", "updated_at", "COALESCE(consumed_at, created_at)"),
    ("auth_sessions", "updated_at", "COALESCE(revoked_at, last_used_at)"),
    ("refresh_tokens", "updated_at", "COALESCE(used_at, created_at)"),
    ("product_goals", "created_at", _parent("products", "product_goals.product_id", "created_at")),
    ("product_goals", "updated_at", _parent("products", "product_goals.product_id", "updated_at")),
    (
        "product_addons",
        "created_at",
        _parent("products", "product_addons.product_id", "created_at"),
    ),
    (
        "product_addons",
        "updated_at",
        _parent("products", "product_addons.product_id", "updated_at"),
    ),
    ("coach_rating_totals", "created_at", "CURRENT_TIMESTAMP"),
    ("coach_rating_totals", "updated_at", "CURRENT_TIMESTAMP"),
    # A profile's flags are rewritten whenever its answers are.
    (
        "customer_risk_flags",
        "created_at",
        "(SELECT updated_at FROM customer_profiles "
        "WHERE customer_profiles.user_id = customer_risk_flags.user_id)",
    ),
    (
        "customer_risk_flags",
        "updated_at",
        "(SELECT updated_at FROM customer_profiles "
        "WHERE customer_profiles.user_id = customer_risk_flags.user_id)",
    ),
    ("coach_assignments", "created_at", "assigned_at"),
    ("coach_assignments", "updated_at", "COALESCE(unassigned_at, assigned_at)"),
    ("user_identities", "updated_at", "created_at"),
    ("email_verification_codes", "updated_at", "COALESCE(consumed_at, created_at)"),
    ("mfa_totp", "updated_at", "COALESCE(confirmed_at, created_at)"),
    ("mfa_recovery_codes", "updated_at", "COALESCE(used_at, created_at)"),
    ("mfa_challenges", "updated_at", "COALESCE(consumed_at, created_at)"),
    ("questionnaires", "updated_at", "created_at"),
    ("onboarding_intakes", "updated_at", "created_at"),
    ("plan_items", "created_at", _parent("plans", "plan_items.plan_id", "created_at")),
    ("plan_items", "updated_at", _parent("plans", "plan_items.plan_id", "updated_at")),
    ("settings", "created_at", "updated_at"),
    ("notifications", "updated_at", "COALESCE(read_at, created_at)"),
    ("notification_preferences", "created_at", "CURRENT_TIMESTAMP"),
    ("notification_preferences", "updated_at", "CURRENT_TIMESTAMP"),
    ("notification_settings", "created_at", "CURRENT_TIMESTAMP"),
    ("notification_settings", "updated_at", "CURRENT_TIMESTAMP"),
    ("stream_events", "updated_at", "created_at"),
    ("stream_tickets", "created_at", "CURRENT_TIMESTAMP"),
    ("stream_tickets", "updated_at", "CURRENT_TIMESTAMP"),
    ("login_sources", "created_at", "updated_at"),
    (
        "exercise_tags",
        "created_at",
        _parent("exercises", "exercise_tags.exercise_id", "created_at"),
    ),
    (
        "exercise_tags",
        "updated_at",
        _parent("exercises", "exercise_tags.exercise_id", "updated_at"),
    ),
    ("customer_badges", "created_at", "awarded_at"),
    ("customer_badges", "updated_at", "awarded_at"),
    ("idempotency_keys", "updated_at", "created_at"),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, _fill in _FILLED:
        op.add_column(
            table,
            sa.Column(
                column,
                sa.DateTime(timezone=True),
                nullable=not sqlite,
                server_default=_SQLITE_PLACEHOLDER if sqlite else None,
            ),
        )
    for table, column, fill in _FILLED:
        # A child whose parent is gone cannot exist (foreign keys cascade), so no fill is NULL.
        op.execute(f"UPDATE {table} SET {column} = {fill}")  # noqa: S608 - constants above
    if not sqlite:
        for table, column, _fill in _FILLED:
            op.alter_column(table, column, nullable=False)


def downgrade() -> None:
    for table, column, _fill in reversed(_FILLED):
        op.drop_column(table, column)
