"""The audit trail: an append-only record of every change and security event, written in the
same transaction as what it records."""
