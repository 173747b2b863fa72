"""The change feed's topics, spelt once. A cached read (db.cache.reads.CachedRead) names the
topic that invalidates it; PostgreSQL triggers on the tables it reads announce that topic
(migrations 20261202_0007 and 20261202_0009, which spell the names as literals: a migration is
history and must not change when this module does). tests/db/test_change_feed_topics.py reads
the triggers of the migrated database and fails unless every topic here has a trigger that
announces it and every cached table a trigger that announces its read's topic.
"""

from __future__ import annotations

from typing import Final

# An account, its roles, sessions and subscriptions, keyed by the user's id.
USER: Final = "user"
# A plan and its items, keyed by the plan's id.
PLAN: Final = "plan"
# The plans a user owns, keyed by the owner's id.
OWNER_PLANS: Final = "owner_plans"
# Every business setting at once (always `settings:*`).
SETTINGS: Final = "settings"
# The published catalog at once (always `catalog:*`): a page cannot tell which of its rows a
# change touched without reading them again.
CATALOG: Final = "catalog"

# A coach's sessions and their bookings, keyed by the coach's id.
CALENDAR: Final = "calendar"

# An API key's row, keyed by its public prefix.
API_KEY: Final = "api_key"

# A customer's day as /plans/today renders it, keyed by the customer's id.
TRAINING_DAY: Final = "training_day"

ALL: Final = frozenset(
    {USER, PLAN, OWNER_PLANS, SETTINGS, CATALOG, CALENDAR, API_KEY, TRAINING_DAY}
)
