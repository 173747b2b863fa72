from __future__ import annotations

from fitcoach.core.errors import Unauthorized


class InvalidStreamTicket(Unauthorized):
    message = "Invalid or expired stream ticket"
