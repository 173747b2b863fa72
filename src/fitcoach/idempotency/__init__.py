"""`Idempotency-Key` for the POSTs that create something billable or granting: a retry with the
same key and body gets the first answer replayed instead of a second effect."""
