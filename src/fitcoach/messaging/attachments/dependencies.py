"""What the attachment endpoints work with: the app's file storage, scanner and link secret."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.messaging.attachments.service import Files

FILES_STATE = "attachment_files"


async def _files(request: Request) -> Files:
    files: Files = getattr(request.app.state, FILES_STATE)
    return files


FilesDep = Annotated[Files, Depends(_files)]
