"""Attachments with no scanner configured (the embedded default): accepted by their content's
type (413 over the limit, 415 for other types), marked "unscanned", images served without
their EXIF location and with a thumbnail, through signed links that expire and that only the
owner and the thread's participants get."""

from __future__ import annotations

import httpx

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error, with_settings
from tests.messaging.files import PDF, exif_of, jpeg_with_location, upload
from tests.messaging.helpers import send


async def test_an_image_is_served_without_its_location_and_with_a_thumbnail(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.admin()
    original = jpeg_with_location()
    assert exif_of(original)
    response = await upload(client, owner, original, name="holiday.pdf")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["contentType"] == "image/jpeg"
    assert data["status"] == "unscanned"
    assert data["hasThumbnail"] is True
    link = await client.get(f"/api/v1/attachments/{data['id']}", headers=owner.headers)
    assert link.status_code == 200, link.text
    served = await client.get(link.json()["data"]["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert exif_of(served.content) == {}
    thumbnail = await client.get(link.json()["data"]["thumbnailUrl"])
    assert thumbnail.status_code == 200
    assert exif_of(thumbnail.content) == {}


async def test_the_type_comes_from_the_content_and_the_size_is_capped(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    owner = await factory.customer()
    refused = await upload(client, owner, b"#!/bin/sh\necho hi\n", name="photo.jpg")
    assert_error(refused, 415, code="unsupported_file_type")
    pdf = await upload(client, owner, PDF, name="notes.txt")
    assert pdf.status_code == 201, pdf.text
    assert pdf.json()["data"]["contentType"] == "application/pdf"


@with_settings(attachment_max_bytes=2_048)
async def test_a_file_over_the_limit_is_413(client: httpx.AsyncClient, factory: Factory) -> None:
    owner = await factory.customer()
    assert_error(await upload(client, owner, PDF + b"0" * 4_096), 413)


@with_settings(attachment_link_seconds=60)
async def test_links_go_to_the_thread_only_and_expire(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin, customer, stranger = (
        await factory.admin(),
        await factory.customer(),
        await factory.customer(),
    )
    attachment_id = (await upload(client, admin, PDF)).json()["data"]["id"]
    path = f"/api/v1/attachments/{attachment_id}"
    assert_error(await client.get(path, headers=customer.headers), 404, code="attachment_not_found")
    # Someone else's upload cannot be attached.
    theirs = await send(client, customer, admin, "", attachments=[attachment_id])
    assert_error(theirs, 422, code="unknown_attachment")
    sent = await send(client, admin, customer, "", attachments=[attachment_id])
    assert sent.status_code == 201, sent.text
    assert sent.json()["data"]["attachments"] == [attachment_id]
    link = await client.get(path, headers=customer.headers)
    assert link.status_code == 200, link.text
    url = link.json()["data"]["url"]
    assert (await client.get(url)).content == PDF
    assert_error(await client.get(path, headers=stranger.headers), 404)
    assert_error(await client.get(url.replace("variant=original", "variant=thumbnail")), 403)
    clock.advance(seconds=61)
    assert_error(await client.get(url), 403, code="link_invalid")
    # The same file goes to one thread only.
    again = await send(client, admin, customer, "", attachments=[attachment_id])
    assert_error(again, 422, code="unknown_attachment")
