"""Growth: the same request against a table of 1k, 100k and 1M rows. A list that reads an
index stays flat as the table grows; one that counts or sorts the whole table does not.

Each scenario grows its table in place (to 1k rows, then 100k, then 1M) with one INSERT ...
SELECT from generate_series per step, which PostgreSQL does in seconds. The sizes count the rows
the seed and the earlier scenarios left, unless those are of another kind than the fill's (the
audit trail's sign-ins): that table starts empty. A scenario whose route or table does not exist
is reported as "not available yet"; a new one needs a `fill` and a `path`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from harness.catalog import fill_products
from harness.community import COMMUNITY_ID, fill_community_posts
from harness.scenarios import API, CATALOG

Fill = Callable[[asyncpg.Connection, int, int], Awaitable[None]]  # (connection, start, stop)


@dataclass(frozen=True)
class GrowthScenario:
    key: str
    title: str
    path: str
    tokens: str  # the LoadFiles attribute whose tokens send it: "admin_token", "tokens_all"
    needs: tuple[str, ...]
    table: str  # whose row count is the size
    fill: Fill | None  # None: nothing to fill yet
    also_filled: tuple[str, ...] = ()  # other tables the fill writes to
    # Start from an empty table: the rows that earlier scenarios wrote there are of another
    # kind than the fill's (sign-ins, not plan changes), so the smallest size would page
    # through other rows than the larger ones and the sizes would not compare.
    starts_empty: bool = False


# Up to a year of entries, 30 s apart. Each step adds entries newer than the last, as a live
# trail grows, so the newest page is always the latest step's.
_AUDIT_FILL = """
INSERT INTO audit_log (id, occurred_at, actor_type, actor_id, actor_roles, action,
                       resource_type, resource_id, client_ip, request_id, changes, details)
SELECT ('a' || lpad(to_hex(g), 31, '0'))::uuid,
       now() - (1000000 - g) * interval '30 seconds',
       'user',
       md5((g % 5000)::text)::uuid,
       CASE WHEN g % 10 = 0 THEN 'ADMIN' ELSE 'CUSTOMER' END,
       (ARRAY['auth.login', 'auth.otp.login', 'auth.refresh', 'plan.update',
              'subscription.grant', 'user.update'])[1 + g % 6],
       (ARRAY['session', 'session', 'session', 'plan', 'subscription', 'user'])[1 + g % 6],
       md5(g::text),
       '198.51.100.' || (1 + g % 254),
       md5(g::text || 'request'),
       CASE WHEN g % 6 = 3
            THEN json_build_object('name', json_build_object('before', 'Block 1',
                                                             'after', 'Block 2'))
       END,
       json_build_object('userAgent', 'fitcoach-ios/3.4.1')
FROM generate_series($1::bigint, $2::bigint - 1) AS g
"""


async def fill_audit(connection: asyncpg.Connection, start: int, stop: int) -> None:
    await connection.execute(_AUDIT_FILL, start, stop)


GROWTH = (
    GrowthScenario(
        key="audit_log_page",
        title="GET /audit-logs, newest page of one action",
        path=f"{API}/audit-logs?action=plan.update&limit=50",
        tokens="admin_token",
        needs=(f"GET {API}/audit-logs",),
        table="audit_log",
        fill=fill_audit,
        starts_empty=True,
    ),
    GrowthScenario(
        key="catalog_products_list",
        title="GET /catalog/products, filtered page",
        path=CATALOG,
        tokens="tokens_all",
        needs=(f"GET {API}/catalog/products",),
        table="products",
        fill=fill_products,
        also_filled=("product_goals",),
    ),
    GrowthScenario(
        key="community_posts_hot",
        title="GET /community/posts, hot page of one community",
        path=f"{API}/community/posts?communityId={COMMUNITY_ID}&sort=hot",
        tokens="admin_token",
        needs=(f"GET {API}/community/posts",),
        table="community_posts",
        fill=fill_community_posts,
        also_filled=("communities",),
    ),
)


async def empty(dsn: str, scenario: GrowthScenario) -> None:
    """Empty the scenario's table (the bench's own database; the audit trail refuses UPDATE and
    DELETE, not TRUNCATE)."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'TRUNCATE "{scenario.table}"')
    finally:
        await connection.close()


async def grow(dsn: str, scenario: GrowthScenario, target: int) -> None:
    """Add rows until the table holds `target`.

    Loaded the way a restore loads: secondary indexes dropped, rows inserted, indexes built
    again, which is several times faster than maintaining them row by row; the fills give the
    added rows ascending ids, so the primary key only appends. Both leave the indexes a little
    tidier than years of single inserts would, which the measured reads may notice slightly."""
    assert scenario.fill is not None
    tables = (scenario.table, *scenario.also_filled)
    connection = await asyncpg.connect(dsn)
    try:
        count = f'SELECT count(*) FROM "{scenario.table}"'  # noqa: S608 - a name from GROWTH
        current = await connection.fetchval(count)
        if current >= target:
            return
        async with connection.transaction():
            await connection.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # No foreign-key triggers for rows that reference seeded rows by construction:
            # checking a million references one by one would double the load time.
            await connection.execute("SET LOCAL session_replication_role = replica")
            indexes = await connection.fetch(_SECONDARY_INDEXES, list(tables))
            for index in indexes:
                await connection.execute(f'DROP INDEX "{index["name"]}"')
            await scenario.fill(connection, current, target)
            for index in indexes:
                await connection.execute(index["definition"])
            # The replica role silenced the tables' change-feed triggers too; a bulk load says
            # itself what it changed, or the servers keep serving the pages cached before it.
            await connection.execute("SELECT pg_notify('fitcoach_changes', 'catalog:*')")
        for table in tables:
            # Fresh statistics and a set visibility map, as autovacuum would leave a table of
            # this size; without the VACUUM, the first reads of every loaded page write its
            # hint bits back, which the measured requests would pay for.
            await connection.execute(f'VACUUM (ANALYZE) "{table}"')
        # Write the load's dirty pages out now, or a checkpoint flushes them during the runs
        # that follow and the larger sizes measure the disk rather than the request.
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


# Indexes that back no constraint (primary keys and unique constraints stay).
_SECONDARY_INDEXES = """
SELECT indexname AS name, indexdef AS definition FROM pg_indexes AS i
WHERE schemaname = 'public' AND tablename = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)
"""
