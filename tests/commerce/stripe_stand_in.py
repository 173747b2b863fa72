"""A stand-in for the few Stripe endpoints the adapter calls, speaking Stripe's wire format
(form-encoded requests, JSON answers, card errors as 402) and recording every request, so a
test asserts what the official library really sent. Test payment methods behave as Stripe's:
`pm_card_visa` succeeds, `pm_card_chargeDeclinedInsufficientFunds` is declined,
`pm_card_authenticationRequired` asks for 3-D Secure (declined off-session)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass(frozen=True)
class Received:
    path: str
    form: dict[str, str]
    idempotency_key: str | None
    authorization: str | None


@dataclass
class StripeStandIn:
    requests: list[Received] = field(default_factory=list)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to(self, path: str) -> list[Received]:
        return [received for received in self.requests if received.path == path]

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/customers", self._customer, methods=["POST"]),
                Route("/v1/payment_intents", self._intent, methods=["POST"]),
                Route("/v1/payment_intents/{id}/confirm", self._confirm, methods=["POST"]),
                Route("/v1/payment_methods/{id}/{verb}", self._method, methods=["POST"]),
                Route("/v1/refunds", self._refund, methods=["POST"]),
            ]
        )

    async def _record(self, request: Request) -> dict[str, str]:
        form = dict(parse_qsl((await request.body()).decode()))
        self.requests.append(
            Received(
                request.url.path,
                form,
                request.headers.get("idempotency-key"),
                request.headers.get("authorization"),
            )
        )
        return form

    async def _customer(self, request: Request) -> JSONResponse:
        await self._record(request)
        return JSONResponse({"id": f"cus_{len(self.requests)}", "object": "customer"})

    async def _intent(self, request: Request) -> JSONResponse:
        form = await self._record(request)
        intent_id = f"pi_{len(self.intents) + 1}"
        self.intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "currency": form["currency"],
            "customer": form.get("customer"),
            "client_secret": f"{intent_id}_secret_abc",
            "status": "requires_payment_method",
            "next_action": None,
            "latest_charge": None,
            "payment_method": None,
        }
        return JSONResponse(self.intents[intent_id])

    async def _confirm(self, request: Request) -> JSONResponse:
        form = await self._record(request)
        intent = self.intents[request.path_params["id"]]
        method = form["payment_method"]
        if method == "pm_card_chargeDeclinedInsufficientFunds" or (
            method == "pm_card_authenticationRequired" and form.get("off_session") == "true"
        ):
            declined = "insufficient_funds" if "Insufficient" in method else None
            code = "card_declined" if declined else "authentication_required"
            message = (
                "Your card has insufficient funds."
                if declined
                else "Your card was declined. This transaction requires authentication."
            )
            error = {"type": "card_error", "code": code, "message": message}
            if declined:
                error["decline_code"] = declined
            return JSONResponse({"error": error}, status_code=402)
        card = {"brand": "visa", "last4": "3184" if "authentication" in method else "4242"}
        intent["payment_method"] = {"id": method, "object": "payment_method", "card": card}
        if method == "pm_card_authenticationRequired" and intent["status"] != "requires_action":
            intent["status"] = "requires_action"
            intent["next_action"] = {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": "https://hooks.stripe.test/3ds", "return_url": None},
            }
        else:
            intent["status"] = "succeeded"
            intent["next_action"] = None
            intent["latest_charge"] = f"ch_{intent['id'][3:]}"
        return JSONResponse(intent)

    async def _method(self, request: Request) -> JSONResponse:
        form = await self._record(request)
        return JSONResponse(
            {
                "id": request.path_params["id"],
                "object": "payment_method",
                "customer": form.get("customer"),
            }
        )

    async def _refund(self, request: Request) -> JSONResponse:
        form = await self._record(request)
        return JSONResponse(
            {
                "id": f"re_{len(self.requests)}",
                "object": "refund",
                "amount": int(form["amount"]),
                "charge": form["charge"],
                "status": "succeeded",
            }
        )
