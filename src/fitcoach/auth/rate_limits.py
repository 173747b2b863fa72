"""The per-client-IP rate limits shared by the sign-in routes, from the auth-flow update's table:
sending a code (SMS or e-mail) and checking one (or a second factor)."""

from __future__ import annotations

SEND_LIMIT = "5/15 minutes"
CHECK_LIMIT = "10/15 minutes"
