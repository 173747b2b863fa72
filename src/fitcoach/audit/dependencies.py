"""The audit trail's fallback for state-changing requests that recorded nothing themselves."""

from __future__ import annotations

from fastapi import Request

from fitcoach.audit.service import audit_service
from fitcoach.db.session import before_commit


def record_unaudited_write(request: Request) -> None:
    """Register, on the request's transaction, the generic entry of an authenticated write; it is
    skipped at commit when a service already recorded something more specific."""
    method, path, clock = request.method, request.url.path, request.app.state.clock
    before_commit(
        request,
        lambda transaction: audit_service.ensure_recorded(transaction, method, path, clock.now()),
    )
