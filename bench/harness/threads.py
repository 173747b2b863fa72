"""Messaging in the seed (issue 21). Two coaches whose inboxes differ only in size: one with
10,000 direct threads, one with 10, each thread with one message from the other person (so
every thread has a preview and one unread message), both reading the first page of their
threads. And the signed-in customers assigned to the bench coach, who send them messages.

A thread's partner is a person of their own (a direct thread is unique per pair), a customer
the seed makes (`new_user`) who never signs in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

API = "/api/v1"
THREADS = f"{API}/threads"
MESSAGES = f"{API}/messages"
THREAD_SIZES = (10, 10_000)
# Both inboxes answer a full page, so they differ in the inbox's size alone.
PAGE_SIZE = 10
THREADS_PATH = f"{THREADS}?pageSize={PAGE_SIZE}"

THREAD_COLUMNS = ("id", "context", "pair_key", "last_seq", "last_activity_at")
PARTICIPANT_COLUMNS = ("thread_id", "user_id", "read_seq", "last_activity_at")
MESSAGE_COLUMNS = ("id", "thread_id", "seq", "sender_id", "body", "attachments", "created_at")
ASSIGNMENT_COLUMNS = ("id", "customer_id", "coach_id", "assigned_at")

Row = tuple[Any, ...]
AddRow = Callable[[str, Row], None]  # (table, row)
NewUser = Callable[[str, str], uuid.UUID]  # (name, phone) -> the new customer's id


def add_inbox(
    add: AddRow, new_user: NewUser, coach_id: uuid.UUID, threads: int, now: datetime
) -> None:
    """`threads` direct threads of `coach_id`, a minute apart, the newest a minute ago."""
    for index in range(threads):
        # Phones of their own: +20 13 (the inbox's size) (the thread's number).
        partner = new_user(f"Inbox {threads} #{index}", f"+2013{threads:05d}{index:05d}")
        thread = uuid.uuid4()
        at = now - timedelta(minutes=threads - index)
        pair_key = ":".join(sorted((str(coach_id), str(partner))))
        add("message_threads", (thread, "direct", pair_key, 1, at))
        add("thread_participants", (thread, coach_id, 0, at))
        add("thread_participants", (thread, partner, 1, at))
        add("messages", (uuid.uuid4(), thread, 1, partner, f"Question {index}", "[]", at))


def assign_to_coach(
    add: AddRow, customers: list[uuid.UUID], coach_id: uuid.UUID, now: datetime
) -> None:
    """Each customer looked after by `coach_id`: who may message whom."""
    for customer in customers:
        add("coach_assignments", (uuid.uuid4(), customer, coach_id, now))


def message_body(coach_id: str) -> str:
    return f'{{"recipientId": "{coach_id}", "body": "Bench message", "attachments": []}}'
