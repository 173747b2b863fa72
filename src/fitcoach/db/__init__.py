"""Database plumbing: engine, the per-request unit of work, the declarative Base."""
