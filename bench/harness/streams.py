"""The live-streams phase (issue 21): 1,000 Server-Sent Event streams held open on the fitcoach
server's two workers by the signed-in customers (some on two devices), while their coach sends
them messages at a steady rate; each message's delivery time is from the POST leaving the
client to the first of the recipient's streams receiving it. The path it measures is the
product's: the message's transaction, its MessageSent event through the outbox and the relay to
the handler, the stream's Redis channel to whichever worker holds the recipient's stream.

Budget: delivery p99 under 200 ms with the 1,000 streams open."""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

KEY = "live_streams"
STREAM = "/api/v1/stream"
MESSAGES = "/api/v1/messages"
BUDGET_P99_MS = 200.0
OPEN_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class StreamShape:
    streams: int
    messages: int
    per_second: float

    @classmethod
    def of(cls, *, quick: bool) -> StreamShape:
        return cls(streams=1_000, messages=50 if quick else 300, per_second=20.0)


@dataclass
class StreamResult:
    status: str
    streams_open: int = 0
    sent: int = 0
    delivered: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "streams_open": self.streams_open,
            "sent": self.sent,
            "delivered": self.delivered,
            "latency_ms": self.latency_ms,
        }


class _Arrivals:
    """When each message first reached a stream, and an event set once all the expected have."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.expected: set[str] | None = None
        self.complete = asyncio.Event()

    def note(self, line: str) -> None:
        try:
            data = json.loads(line.removeprefix("data:").strip())
        except ValueError:
            return
        message_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(message_id, str):
            self.at.setdefault(message_id, time.perf_counter())
            self._check()

    def expect(self, message_ids: set[str]) -> None:
        self.expected = message_ids
        self._check()

    def _check(self) -> None:
        if self.expected is not None and self.expected <= self.at.keys():
            self.complete.set()


async def measure(
    base_url: str, coach_token: str, customers: list[tuple[str, str]], shape: StreamShape
) -> StreamResult:
    """`customers`: (user id, access token) of the coach's clients; streams go round-robin."""
    arrivals = _Arrivals()
    opened = 0
    all_open = asyncio.Event()
    limits = httpx.Limits(max_connections=shape.streams + 20, max_keepalive_connections=20)
    # A stream reads for as long as the phase lasts; everything else has 30 s.
    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:

        async def hold(token: str) -> None:
            nonlocal opened
            headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
            async with client.stream("GET", STREAM, headers=headers) as response:
                if response.status_code != 200:
                    return
                opened += 1
                if opened == shape.streams:
                    all_open.set()
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        arrivals.note(line)

        holders = [
            asyncio.create_task(hold(customers[index % len(customers)][1]))
            for index in range(shape.streams)
        ]
        try:
            try:
                await asyncio.wait_for(all_open.wait(), OPEN_TIMEOUT_S)
            except TimeoutError:
                return StreamResult(f"failed: {opened} of {shape.streams} streams opened")
            sent = await _send(client, coach_token, customers, shape)
            arrivals.expect(set(sent))
            # Past the wait, the undelivered are reported as such.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrivals.complete.wait(), DRAIN_TIMEOUT_S)
        finally:
            for task in holders:
                task.cancel()
            await asyncio.gather(*holders, return_exceptions=True)
    latencies = sorted(
        (arrivals.at[message] - started) * 1000
        for message, started in sent.items()
        if message in arrivals.at
    )
    result = StreamResult("measured", streams_open=opened, sent=len(sent), delivered=len(latencies))
    if latencies:
        result.latency_ms = {
            "p50": round(statistics.median(latencies), 1),
            "p99": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
            "max": round(latencies[-1], 1),
        }
    return result


async def _send(
    client: httpx.AsyncClient,
    coach_token: str,
    customers: list[tuple[str, str]],
    shape: StreamShape,
) -> dict[str, float]:
    """The coach's messages at a steady rate, one customer after another: message id -> when
    its POST left."""
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {coach_token}"}
    started = time.monotonic()
    for index in range(shape.messages):
        await asyncio.sleep(max(0.0, started + index / shape.per_second - time.monotonic()))
        recipient = customers[index % len(customers)][0]
        body = {"recipientId": recipient, "body": f"Live {index}", "attachments": []}
        leaving = time.perf_counter()
        response = await client.post(MESSAGES, json=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"POST {MESSAGES} answered {response.status_code}: {response.text}")
        sent[response.json()["data"]["id"]] = leaving
    return sent


def budget_verdicts(doc: dict[str, Any] | None) -> list[dict[str, object]]:
    rule = f"live streams: 1,000 open, message delivery p99 < {BUDGET_P99_MS:.0f} ms"
    if doc is None:
        return []
    p99 = (doc.get("latency_ms") or {}).get("p99")
    if p99 is None or doc.get("delivered") != doc.get("sent"):
        value = (
            doc["status"] if p99 is None else f"{doc.get('delivered')}/{doc.get('sent')} delivered"
        )
        return [{"rule": rule, "passed": False if p99 is not None else None, "value": value}]
    return [{"rule": rule, "passed": p99 < BUDGET_P99_MS, "value": f"{p99:,.1f} ms"}]
