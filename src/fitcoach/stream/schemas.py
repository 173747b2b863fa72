from __future__ import annotations

from datetime import datetime

from fitcoach.http.envelope import ApiModel


class StreamTicketOut(ApiModel):
    ticket: str
    expires_at: datetime
