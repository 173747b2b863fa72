"""The access matrix's rows for messaging (see access_matrix for the rules).

The customer writes to their assigned coach: the thread is theirs and the coach's alone, so
anyone else (other customers, other coaches, even admins) finds no such thread (404). Only its
sender changes a message; the other participant sees it but gets 403. Who may write to whom:
the customer's assigned coach and admins may message the customer; the customer may not message
themself, nor may anyone else (404: not someone they may message)."""

from __future__ import annotations

import uuid

from fitcoach.messaging.threads.service import MessageDraft, threads_service
from fitcoach.models import User
from tests.robustness.cells import Call, Row, anyone_signed_in, body_of, signed_in
from tests.robustness.world import Actor, World

# Participants only: the customer and their coach.
participants_only = signed_in(200, 404, 200, 404, 404)
# The customer's own message: the coach sees it but may not change it.
sender_only = signed_in(200, 404, 403, 404, 404)


async def _customer_message(world: World) -> tuple[uuid.UUID, uuid.UUID]:
    """A message from the customer to their coach: its thread's id and its own."""
    async with world.app.state.sessionmaker() as session, session.begin():
        customer = await session.get(User, world.customer.id)
        assert customer is not None
        view = await threads_service.send(
            session,
            customer,
            MessageDraft(
                recipient_id=world.ids[Actor.ASSIGNED_COACH], body="Matrix hello", attachments=[]
            ),
            world.app.state.clock.now(),
        )
    return view.message.thread_id, view.message.id


async def _on_thread(world: World, actor: Actor) -> Call:
    thread_id, _ = await _customer_message(world)
    return Call(path={"threadId": str(thread_id)})


async def _read_thread(world: World, actor: Actor) -> Call:
    thread_id, message_id = await _customer_message(world)
    return Call(path={"threadId": str(thread_id)}, json={"upToMessageId": str(message_id)})


async def _edit_message(world: World, actor: Actor) -> Call:
    _, message_id = await _customer_message(world)
    return Call(path={"messageId": str(message_id)}, json={"body": "Matrix edit"})


async def _on_message(world: World, actor: Actor) -> Call:
    _, message_id = await _customer_message(world)
    return Call(path={"messageId": str(message_id)})


MESSAGING_MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/threads"): Row(anyone_signed_in()),
    ("POST", "/api/v1/messages"): Row(
        signed_in(404, 404, 201, 404, 201),
        body_of(lambda world: {"recipientId": world.customer.user_id, "body": "Matrix hi"}),
    ),
    ("GET", "/api/v1/threads/{threadId}/messages"): Row(participants_only, _on_thread),
    ("POST", "/api/v1/threads/{threadId}/read"): Row(participants_only, _read_thread),
    ("PATCH", "/api/v1/messages/{messageId}"): Row(sender_only, _edit_message),
    ("DELETE", "/api/v1/messages/{messageId}"): Row(sender_only, _on_message),
}

# The coach sees the customer's message in their thread, so being refused its change says
# nothing new.
MESSAGING_SEEN_BUT_NOT_THEIRS = {
    (method, "/api/v1/messages/{messageId}", Actor.ASSIGNED_COACH) for method in ("PATCH", "DELETE")
}
