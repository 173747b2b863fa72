"""The admin's word and link filter and the report threshold, stored as one business setting
(COMMUNITY_POLICY, a JSON object): what holds a post for review before anyone sees it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_LINK = re.compile(r"(?:https?://|www\.)([^\s/?#:]+)", re.IGNORECASE)
DEFAULT_REPORT_THRESHOLD = 3


@dataclass(frozen=True)
class CommunityPolicy:
    report_threshold: int = DEFAULT_REPORT_THRESHOLD
    blocked_words: tuple[str, ...] = ()
    # Links hold a post unless their host is one of these (or a subdomain of one).
    hold_links: bool = False
    allowed_link_domains: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, stored: str | None) -> CommunityPolicy:
        if not stored:
            return cls()
        raw = json.loads(stored)
        return cls(
            report_threshold=int(raw["reportThreshold"]),
            blocked_words=tuple(raw["blockedWords"]),
            hold_links=bool(raw["holdLinks"]),
            allowed_link_domains=tuple(raw["allowedLinkDomains"]),
        )

    def dump(self) -> str:
        return json.dumps(
            {
                "reportThreshold": self.report_threshold,
                "blockedWords": list(self.blocked_words),
                "holdLinks": self.hold_links,
                "allowedLinkDomains": list(self.allowed_link_domains),
            }
        )

    def catches(self, text: str) -> bool:
        """True when `text` has a blocked word (whole words, any case) or a link the policy
        holds."""
        lowered = text.casefold()
        for word in self.blocked_words:
            if re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", lowered):
                return True
        if not self.hold_links:
            return False
        return any(not self._allowed(host.lower()) for host in _LINK.findall(text))

    def _allowed(self, host: str) -> bool:
        return any(
            host == domain or host.endswith(f".{domain}") for domain in self.allowed_link_domains
        )
