"""The two ceilings fitcoach is measured against, served by uvicorn exactly like fitcoach (2
workers, access log off): what a bare Starlette endpoint and a bare FastAPI endpoint with a small
Pydantic model reach on this machine, in this run. fitcoach can be no faster than its framework,
so its figures are read as fractions of these.

    uvicorn ceilings:starlette_app --app-dir bench --workers 2 --no-access-log
    uvicorn ceilings:fastapi_app --app-dir bench --workers 2 --no-access-log
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

PATH = "/ceiling"


async def _starlette_endpoint(request: Request) -> JSONResponse:
    return JSONResponse({"status": "success", "message": "ok"})


starlette_app = Starlette(routes=[Route(PATH, _starlette_endpoint)])


class Message(BaseModel):
    status: str
    message: str


fastapi_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


# A response_model, so FastAPI validates and serialises the model as fitcoach's endpoints do.
@fastapi_app.get(PATH, response_model=Message)
async def _fastapi_endpoint() -> Message:
    return Message(status="success", message="ok")
