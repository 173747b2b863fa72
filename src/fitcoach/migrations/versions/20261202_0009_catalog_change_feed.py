"""Announce catalog changes on the change feed (PostgreSQL only).

Workers cache pages of the published catalog (catalog/service.py); a page shows products, their
goals, their best reviews with their authors' names, and each coach's name and rating totals.
A change to any of these sends `catalog:*`, once per statement: the catalog changes seldom, and
a page cannot tell which of its rows a change touched without reading them again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CATALOG_TABLES = (
    "products",
    "product_goals",
    "product_addons",
    "product_reviews",
    "coach_rating_totals",
)
# Users show on catalog pages only by name (coaches, review authors).
_USER_NAMES = "users_announce_catalog_names"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _CATALOG_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_announce_catalog "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION fitcoach_announce_change('catalog')"
        )
    op.execute(
        f"CREATE TRIGGER {_USER_NAMES} AFTER UPDATE OF name ON users "
        "FOR EACH STATEMENT EXECUTE FUNCTION fitcoach_announce_change('catalog')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER {_USER_NAMES} ON users")
    for table in _CATALOG_TABLES:
        op.execute(f"DROP TRIGGER {table}_announce_catalog ON {table}")
