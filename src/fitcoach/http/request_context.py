"""What is known about the request being served (id, client IP, actor), for code far from the
endpoint, such as the audit trail. The middleware opens it; authentication fills in the actor."""

from __future__ import annotations

import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    request_id: str
    client_ip: str | None = None
    actor_id: uuid.UUID | None = None
    actor_roles: tuple[str, ...] = field(default=())
    # Set once anything in this request wrote an audit entry.
    audited: bool = False


_current: ContextVar[RequestContext | None] = ContextVar("fitcoach_request_context", default=None)


def open_request_context(request_id: str, client_ip: str) -> Token[RequestContext | None]:
    return _current.set(RequestContext(request_id=request_id, client_ip=client_ip))


def close_request_context(token: Token[RequestContext | None]) -> None:
    _current.reset(token)


def current_request_context() -> RequestContext | None:
    return _current.get()
