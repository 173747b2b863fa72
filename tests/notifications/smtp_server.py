"""A local SMTP server (aiosmtpd) that keeps what it receives, for the e-mail tests."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.message import Message
from typing import Any


@dataclass
class Inbox:
    messages: list[tuple[str, list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content
        raw = content.decode() if isinstance(content, bytes) else content
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), email.message_from_string(raw))
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
