"""Community posts for the growth scenario: one open community (made on the first fill) whose
posts grow, a few reacted to, so GET /community/posts?sort=hot reads its hot-rank index and
the page's reaction summaries."""

from __future__ import annotations

import asyncpg

COMMUNITY_ID = "c0000000-0000-4000-8000-000000000001"

_COMMUNITY = """
INSERT INTO communities (id, name, product_id, coach_id, created_at, updated_at)
VALUES ($1::uuid, 'Bench community', NULL, NULL, now(), now())
ON CONFLICT (id) DO NOTHING
"""

# Posts a minute apart, newest last; every seventh has reactions counted on its row (the
# summaries' rows come from community_reactions, left empty: the page's GROUP BY then reads
# the index only, as for posts nobody reacted to).
_POSTS = """
INSERT INTO community_posts (id, community_id, author_id, body, attachments, has_media, state,
                             held_for, pinned, reaction_count, comment_count, report_count,
                             reports_reviewed, hot_rank, created_at, updated_at)
SELECT ('d' || lpad(to_hex(g), 31, '0'))::uuid,
       $3::uuid,
       (SELECT id FROM users ORDER BY id LIMIT 1),
       'Bench post ' || g,
       '[]'::json,
       g % 11 = 0,
       CASE WHEN g % 97 = 0 THEN 'held' ELSE 'published' END,
       CASE WHEN g % 97 = 0 THEN 'reports' END,
       false,
       CASE WHEN g % 7 = 0 THEN g % 40 ELSE 0 END,
       g % 5,
       0,
       0,
       log(greatest((CASE WHEN g % 7 = 0 THEN g % 40 ELSE 0 END) + 2 * (g % 5), 1))
         + extract(epoch FROM now() - (2000000 - g) * interval '1 minute') / 45000,
       now() - (2000000 - g) * interval '1 minute',
       now() - (2000000 - g) * interval '1 minute'
FROM generate_series($1::bigint, $2::bigint - 1) AS g
"""


async def fill_community_posts(connection: asyncpg.Connection, start: int, stop: int) -> None:
    await connection.execute(_COMMUNITY, COMMUNITY_ID)
    await connection.execute(_POSTS, start, stop, COMMUNITY_ID)
