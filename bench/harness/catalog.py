"""The catalog's rows, made by PostgreSQL itself: INSERT ... SELECT from generate_series, so
the growth steps (up to a million products) take seconds. The seed makes a realistic shop of
a few hundred products with reviews; growth adds products with the same formulas.

Row g is the same every run: every value is a function of g (no random()).
"""

from __future__ import annotations

import asyncpg

SEED_PRODUCTS = 500
REVIEWS_PER_PRODUCT = 12

# Published 80%, draft 10%, archived 10%; one or two goals; prices 10.00 to 600.00; created
# over two years, so every sort has something to order.
_PRODUCTS = """
WITH coaches AS (
    SELECT array_agg(user_id ORDER BY user_id) AS ids FROM user_roles WHERE role = 'COACH'
), goal_names AS (
    SELECT ARRAY['lose_weight', 'build_muscle', 'improve_endurance', 'general_fitness',
                 'flexibility_mobility', 'sports_performance', 'healthy_eating'] AS names
), made AS (
    INSERT INTO products (id, title, description, goals, duration_weeks, price_minor, currency,
                          level, coach_id, sessions_per_month, custom_training_plan,
                          custom_diet_plan, chat_access, tags, contraindications, media_urls,
                          status, published_at, rating_count, rating_sum, rating_average,
                          created_at, updated_at)
    SELECT ('b' || lpad(to_hex(g), 31, '0'))::uuid,  -- ascending: see growth.grow
           'Program ' || g,
           'A ' || (ARRAY[4, 8, 12, 16, 24])[1 + g % 5] || '-week coaching program.',
           CASE WHEN g % 2 = 0
                THEN json_build_array(n.names[1 + g % 7])
                ELSE json_build_array(n.names[1 + g % 7], n.names[1 + (g + 1 + g / 7 % 6) % 7])
           END,
           (ARRAY[4, 8, 12, 16, 24])[1 + g % 5],
           1000 + (g * 7919) % 59000,
           'USD',
           (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g % 3],
           c.ids[1 + g % array_length(c.ids, 1)],
           g % 9,
           g % 2 = 0,
           g % 3 = 0,
           g % 4 = 0,
           json_build_array('home', 'gym'),
           CASE WHEN g % 5 = 0 THEN json_build_array('pregnancy') ELSE json_build_array() END,
           json_build_array('https://cdn.example.com/products/' || g || '.jpg'),
           CASE WHEN g % 10 < 8 THEN 'published' WHEN g % 10 = 8 THEN 'draft' ELSE 'archived' END,
           CASE WHEN g % 10 < 8 THEN now() - (g % 700) * interval '1 day' END,
           -- Growth rows get review totals without review rows ($3): the list reads the
           -- totals, and the testimonials query looks only at the page's products' reviews.
           CASE WHEN $3::boolean AND g % 10 < 8 THEN 1 + g * 31 % 200 ELSE 0 END,
           CASE WHEN $3::boolean AND g % 10 < 8 THEN (1 + g * 31 % 200) * (2 + g % 4) ELSE 0 END,
           CASE WHEN $3::boolean AND g % 10 < 8 THEN 2 + g % 4 ELSE 0 END,
           now() - (g % 730) * interval '1 day' - g * interval '1 second',
           now() - (g % 730) * interval '1 day' - g * interval '1 second'
    FROM generate_series($1::bigint, $2::bigint - 1) AS g, coaches c, goal_names n
    RETURNING id, goals
)
INSERT INTO product_goals (product_id, goal, created_at, updated_at)
SELECT id, json_array_elements_text(goals), now(), now() FROM made
"""

# Reviews of the seeded published products by distinct customers (k * 101 apart in the
# customers' list), most with text; 1 in 20 hidden by an admin.
_REVIEWS = """
WITH customers AS (
    SELECT array_agg(user_id ORDER BY user_id) AS ids FROM user_roles WHERE role = 'CUSTOMER'
), shop AS (
    SELECT id, row_number() OVER (ORDER BY created_at, id) AS n
    FROM products WHERE status = 'published'
)
INSERT INTO product_reviews (id, product_id, author_id, rating, text, hidden, hidden_at,
                             created_at, updated_at)
SELECT gen_random_uuid(), shop.id,
       c.ids[1 + (shop.n * 17 + k * 101) % array_length(c.ids, 1)],
       (ARRAY[5, 4, 5, 3, 4, 5, 2, 4, 5, 1])[1 + (shop.n + k * 3) % 10],
       CASE WHEN k % 4 = 0 THEN NULL
            ELSE 'Week ' || k || ': clear program, the coach answers fast.' END,
       (shop.n + k) % 20 = 0,
       CASE WHEN (shop.n + k) % 20 = 0 THEN now() END,
       now() - (shop.n + k) * interval '1 hour',
       now() - (shop.n + k) * interval '1 hour'
FROM shop, customers c, generate_series(1, $1::int) AS k
"""

_TOTALS = """
UPDATE products p
SET rating_count = r.count, rating_sum = r.total, rating_average = r.total::float / r.count
FROM (SELECT product_id, count(*) AS count, sum(rating) AS total
      FROM product_reviews WHERE NOT hidden GROUP BY product_id) AS r
WHERE r.product_id = p.id
"""

# Each coach's totals over their published products, as the app keeps them (migration 0008).
_COACH_TOTALS = """
INSERT INTO coach_rating_totals (coach_id, rating_sum, rating_count, created_at, updated_at)
SELECT coach_id, sum(rating_sum), sum(rating_count), now(), now()
FROM products WHERE status = 'published' GROUP BY coach_id
ON CONFLICT (coach_id) DO UPDATE
SET rating_sum = excluded.rating_sum, rating_count = excluded.rating_count
"""


async def seed_catalog(connection: asyncpg.Connection) -> None:
    """The shop: products, their reviews, and the totals the app keeps from the reviews."""
    await connection.execute(_PRODUCTS, 0, SEED_PRODUCTS, False)
    await connection.execute(_REVIEWS, REVIEWS_PER_PRODUCT)
    await connection.execute(_TOTALS)
    await connection.execute(_COACH_TOTALS)


async def fill_products(connection: asyncpg.Connection, start: int, stop: int) -> None:
    await connection.execute(_PRODUCTS, start, stop, True)
