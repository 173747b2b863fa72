from __future__ import annotations

from fitcoach.core.errors import NotFound


class InvoiceNotFound(NotFound):
    message = "Invoice not found"
