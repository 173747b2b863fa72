"""Joins the two revisions made side by side on 0033: 0034 (upgrades awaiting authentication)
and 0035 (orders keep the period they paid for). They touch different columns, so either order
is right; this revision only makes them one history again, so `upgrade head` has one head and
a database at either of them reaches it.

Revision ID: 0036
Revises: 0034, 0035
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0036"
down_revision: tuple[str, ...] = ("0034", "0035")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: the join is the revision itself."""


def downgrade() -> None:
    """Nothing to undo."""
