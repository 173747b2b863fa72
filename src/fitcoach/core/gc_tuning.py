"""Garbage collection for a serving worker: its pauses out of the requests' tail.

A worker holds ~1M objects once the app is built (modules, FastAPI's routes and Pydantic's
schemas, SQLAlchemy's mappers), which never become garbage. CPython's full collection walks all
of them: tens to hundreds of milliseconds in which the worker's event loop answers nobody, and
every request it holds waits (the bench's p99). `freeze_start_up_heap()` moves what exists after
start-up into the permanent generation, which no collection walks, and raises the young
generation's threshold: a request allocates a few thousand objects, almost all freed by
reference counting, so collecting every 700 net allocations (the default) mostly finds nothing.
Cycles made while serving are still collected.
"""

from __future__ import annotations

import gc

# Young generation: collected after this many net allocations (default 700); the older two keep
# their defaults (every 10 collections of the generation below).
GC_THRESHOLDS = (20_000, 10, 10)


def freeze_start_up_heap() -> None:
    """Call once the worker has started, before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
