"""A stand-in for the push services, served on a loopback port: Web Push endpoints, FCM's
OAuth token endpoint and its HTTP v1 send endpoint. It records every request and answers each
Web Push path or FCM token with the status a test set for it (201/200 by default)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

FCM_ACCESS_TOKEN = "stand-in-access-token"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class PushService:
    fcm_public_key: str
    statuses: dict[str, int] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    token_requests: int = 0

    def to(self, path_prefix: str) -> list[Received]:
        return [request for request in self.received if request.path.startswith(path_prefix)]

    async def _webpush(self, request: Request) -> Response:
        await self._record(request)
        return Response(status_code=self.statuses.get(request.url.path, 201))

    async def _fcm_token(self, request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
        claims = jwt.decode(
            str(form["assertion"]),
            self.fcm_public_key,
            algorithms=["RS256"],
            audience=str(request.url),
        )
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
        assert claims["exp"] > time.time()
        self.token_requests += 1
        return JSONResponse({"access_token": FCM_ACCESS_TOKEN, "expires_in": 3600})

    async def _fcm_send(self, request: Request) -> Response:
        received = await self._record(request)
        if request.headers.get("authorization") != f"Bearer {FCM_ACCESS_TOKEN}":
            return JSONResponse({"error": {"status": "UNAUTHENTICATED"}}, status_code=401)
        token = received.json()["message"]["token"]
        status = self.statuses.get(token, 200)
        if status == 404:
            body = {"error": {"status": "NOT_FOUND", "details": [{"errorCode": "UNREGISTERED"}]}}
            return JSONResponse(body, status_code=404)
        return JSONResponse({"name": "projects/demo/messages/1"}, status_code=status)

    async def _record(self, request: Request) -> Received:
        received = Received(
            path=request.url.path, headers=dict(request.headers), body=await request.body()
        )
        self.received.append(received)
        return received

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/push/{name}", self._webpush, methods=["POST"]),
                Route("/token", self._fcm_token, methods=["POST"]),
                Route("/v1/projects/demo/messages:send", self._fcm_send, methods=["POST"]),
            ]
        )
