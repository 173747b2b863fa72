"""The access matrix's rows for messaging (see access_matrix for the rules).

The customer writes to their assigned coach: the thread is theirs and the coach's alone, so
anyone else (other customers, other coaches, even admins) finds no such thread (404). Only its
sender changes a message; the other participant sees it but gets 403. Who may write to whom:
the customer's assigned coach and admins may message the customer; the customer may not message
themself, nor may anyone else (404: not someone they may message)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlsplit

from fitcoach.messaging.attachments.service import Upload, attachments_service
from fitcoach.messaging.threads.service import MessageDraft, threads_service
from fitcoach.models import User
from tests.messaging.files import PDF
from tests.robustness.cells import (
    Call,
    Row,
    anyone_signed_in,
    body_of,
    public,
    reads_only,
    signed_in,
)
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


async def _sent_attachment(world: World, to: Actor = Actor.ASSIGNED_COACH) -> uuid.UUID:
    """A PDF the customer uploaded and sent to `to` (their coach, or support)."""
    app = world.app
    async with app.state.sessionmaker() as session, session.begin():
        customer = await session.get(User, world.customer.id)
        assert customer is not None
        attachment = await attachments_service.upload(
            session,
            customer,
            Upload(file_name="matrix.pdf", data=PDF),
            app.state.attachment_files,
            (app.state.settings.attachment_max_bytes, app.state.clock.now()),
        )
        await threads_service.send(
            session,
            customer,
            MessageDraft(recipient_id=world.ids[to], body="", attachments=[attachment.id]),
            app.state.clock.now(),
        )
    return attachment.id


async def _on_attachment(world: World, actor: Actor) -> Call:
    return Call(path={"attachmentId": str(await _sent_attachment(world))})


async def _signed_download(world: World, actor: Actor) -> Call:
    # Sent to support: a download's world has no coach assignment.
    attachment_id = await _sent_attachment(world, to=Actor.ADMIN)
    response = await world.client.get(
        f"/api/v1/attachments/{attachment_id}", headers=world.headers(Actor.CUSTOMER)
    )
    query = dict(parse_qsl(urlsplit(response.json()["data"]["url"]).query))
    return Call(path={"attachmentId": str(attachment_id)}, params=query)


@reads_only
async def _upload(world: World, actor: Actor) -> Call:
    return Call(files={"file": ("matrix.pdf", PDF, "application/pdf")})


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
    # Attachments: the customer's file, sent to their coach; the signed link is the key.
    ("POST", "/api/v1/attachments"): Row(anyone_signed_in(201), _upload),
    ("GET", "/api/v1/attachments/{attachmentId}"): Row(participants_only, _on_attachment),
    ("GET", "/api/v1/attachments/{attachmentId}/content"): Row(public(), _signed_download),
}

# The coach sees the customer's message in their thread, so being refused its change says
# nothing new.
MESSAGING_SEEN_BUT_NOT_THEIRS = {
    (method, "/api/v1/messages/{messageId}", Actor.ASSIGNED_COACH) for method in ("PATCH", "DELETE")
}
