"""Structured logs: JSON in production, readable in development, every line with the request id.

What a log line may carry is decided here, once, for our loggers and everyone else's (uvicorn,
SQLAlchemy): an exception is logged as its types and frames, never its message, because messages
carry bound SQL parameters (argon2 hashes, phone numbers), request text and provider answers;
fields named like a secret are masked; and a line that cannot be encoded (a lone surrogate) is
escaped rather than making the logger itself fail."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import MutableMapping
from types import TracebackType
from typing import Any

import structlog

REDACTED = "[redacted]"
# Field names whose values are secrets wherever they appear in a log call.
_SECRET_FIELD = re.compile(r"password|passwd|secret|token|otp|hash|authorization|cookie", re.I)
_MESSAGE_WITHHELD = "message withheld: it may carry SQL parameters, request text or secrets"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def configure_logging(*, level: str, as_json: bool) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            redact_secret_fields,
            describe_exception_safely,
            renderer,
            encodable_line,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # uvicorn's own access log would duplicate ours, without the request id.
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # httpx logs every outbound request with its full URL at INFO; the SMS provider logs what
    # matters without it.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def redact_secret_fields(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in event_dict:
        if _SECRET_FIELD.search(key):
            event_dict[key] = REDACTED
    return event_dict


def describe_exception_safely(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace `exc_info` with the exception's types and frames (file, line, function, source
    line) along its cause chain, leaving out every message."""
    exc_info = _exc_info(event_dict.pop("exc_info", None))
    if exc_info is not None:
        event_dict["exception"] = safe_traceback(exc_info[1])
    return event_dict


def _exc_info(value: object) -> ExcInfo | None:
    if value is True:
        value = sys.exc_info()
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value
    return None


def safe_traceback(exc: BaseException) -> str:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    lines = [f"Traceback ({_MESSAGE_WITHHELD}):"]
    for link in reversed(chain):
        for frame in traceback.extract_tb(link.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line}")
        kind = type(link)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
    return "\n".join(lines)


def encodable_line(_logger: object, _method: str, line: Any) -> Any:
    """The rendered line with anything UTF-8 cannot encode (a lone surrogate) escaped, so
    writing it cannot fail."""
    if isinstance(line, str):
        return line.encode("utf-8", "backslashreplace").decode("utf-8")
    return line
