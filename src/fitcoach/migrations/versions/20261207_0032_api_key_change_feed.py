"""Announce API key changes on the change feed (PostgreSQL only).

Workers cache API keys by their public prefix (access/repository.py); a key's row announces
`api_key:<prefix>` whenever it changes (rotation, revocation, the once-a-minute "last used"
write), TRUNCATE `api_key:*`.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 19:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER api_keys_announce_api_key_rows "
        "AFTER INSERT OR UPDATE OR DELETE ON api_keys "
        "FOR EACH ROW EXECUTE FUNCTION fitcoach_announce_change('api_key', 'prefix')"
    )
    op.execute(
        "CREATE TRIGGER api_keys_announce_api_key_truncate AFTER TRUNCATE ON api_keys "
        "FOR EACH STATEMENT EXECUTE FUNCTION fitcoach_announce_change('api_key')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for suffix in ("rows", "truncate"):
        op.execute(f"DROP TRIGGER api_keys_announce_api_key_{suffix} ON api_keys")
