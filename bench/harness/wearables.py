"""The wearable webhook scenario's data: deliveries of the Standard Webhooks partner, each with
its own webhook-id (a repeated one is a replay, which is not what this scenario measures), signed
when the load files are written, one sample of steps for a connected customer in each."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from standardwebhooks import Webhook

from harness.config import WEARABLE_PARTNER_SECRET

WEARABLE_WEBHOOK = "/api/v1/integrations/wearables/webhook"
# Each wrk run (the warm-up, then 3 runs) sends its own share, DELIVERIES_PER_RUN from where the
# run before it started: more than a 10 s run sends at a few hundred a second.
DELIVERIES_PER_RUN = 10_000
DELIVERIES = 4 * DELIVERIES_PER_RUN


def delivery(user: str, number: int, when: datetime) -> tuple[str, str, str, str]:
    """(webhook-id, webhook-timestamp, webhook-signature, body): no spaces in any, so a data
    line holds one delivery."""
    body = json.dumps(
        {
            "type": "metrics.recorded",
            "timestamp": when.isoformat(),
            "data": {
                "userId": user,
                "samples": [
                    {
                        "id": f"bench-{number}",
                        "kind": "steps",
                        "value": 1000 + number % 9000,
                        "unit": "count",
                        "start": when.isoformat(),
                    }
                ],
            },
        },
        separators=(",", ":"),
    )
    message_id = f"msg_bench_{number}"
    signature = Webhook(WEARABLE_PARTNER_SECRET).sign(message_id, when, body)
    return message_id, str(int(when.timestamp())), signature, body


def delivery_lines(users: list[str]) -> list[str]:
    now = datetime.now(UTC)
    return [
        " ".join(delivery(users[number % len(users)], number, now)) for number in range(DELIVERIES)
    ]
