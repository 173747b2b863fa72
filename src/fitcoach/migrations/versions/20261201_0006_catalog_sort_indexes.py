"""Catalog sort indexes that cover the whole ORDER BY, ids included.

The rating and popularity indexes stopped at the sort's first columns, so every product tied on
them (a real catalog has many: ratings are averages of a few stars) had to be read and sorted
before a page of 20 could be taken; at a million products a filtered page read 2,120 index rows.
Covering the tie-breakers lets the page stop after its matches (79 rows in the same query).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = {
    "ix_products_status_created": ["status", "created_at"],
    "ix_products_status_rating": ["status", "rating_average", "rating_count"],
    "ix_products_status_popular": ["status", "rating_count", "created_at"],
}
_AFTER = {
    "ix_products_status_created": ["status", "created_at", "id"],
    "ix_products_status_rating": ["status", "rating_average", "rating_count", "created_at", "id"],
    "ix_products_status_popular": ["status", "rating_count", "created_at", "id"],
}


def _replace(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name="products")
        op.create_index(name, "products", columns)


def upgrade() -> None:
    _replace(_AFTER)


def downgrade() -> None:
    _replace(_BEFORE)
