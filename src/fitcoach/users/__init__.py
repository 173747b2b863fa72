"""User records: identity fields, body metrics, roles and the blocked flag."""
