"""Wearable test helpers: provider secrets, signed deliveries in each provider's scheme,
connections, captured-format payloads, and a local stand-in of the providers' APIs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Header, HTTPException, Request
from standardwebhooks import Webhook

from fitcoach.core.crypto import seal
from fitcoach.models import WearableConnection

WEBHOOK = "/api/v1/integrations/wearables/webhook"
FITBIT_SECRET = "fitbit-client-secret-0123456789"
OURA_SECRET = "oura-client-secret-0123456789"
WHOOP_SECRET = "whoop-client-secret-0123456789"
PARTNER_SECRET = "whsec_" + base64.b64encode(b"partner-secret-32-bytes-long!!!!").decode()
ACCESS_TOKEN = "stand-in-access-token"
REFRESHED_TOKEN = "stand-in-refreshed-token"
REFRESH_TOKEN = "stand-in-refresh-token"
GOOD_CODE = "stand-in-authorization-code"
CLIENT_ID = "fitcoach-client"
SECRETS = {
    "fitbit_client_id": CLIENT_ID,
    "oura_client_id": CLIENT_ID,
    "fitbit_client_secret": FITBIT_SECRET,
    "oura_client_secret": OURA_SECRET,
    "whoop_client_secret": WHOOP_SECRET,
    "wearable_partner_secret": PARTNER_SECRET,
}

# Captured formats: Oura API v2 webhook and documents, Whoop webhook and workout, Fitbit
# subscription notifications and Web API day summaries (metric units).
OURA_ACTIVITY_ID = "8f9a5221-639e-4a85-81cb-4065ef23f979"
OURA_SLEEP_ID = "2b0d4d7e-2f9b-4c3d-9d1c-0e3f5f7a9c11"
WHOOP_WORKOUT_ID = "ecfc6a15-4661-442f-a9a4-f160dd7afae8"
OURA_DOCUMENTS: dict[str, dict[str, Any]] = {
    f"daily_activity/{OURA_ACTIVITY_ID}": {
        "id": OURA_ACTIVITY_ID,
        "class_5_min": "0000011112221100",
        "score": 82,
        "active_calories": 412,
        "average_met_minutes": 1.53,
        "equivalent_walking_distance": 7340,
        "steps": 8123,
        "total_calories": 2380,
        "day": "2026-12-06",
        "timestamp": "2026-12-06T04:00:00+00:00",
    },
    f"sleep/{OURA_SLEEP_ID}": {
        "id": OURA_SLEEP_ID,
        "average_heart_rate": 56.25,
        "awake_time": 2460,
        "bedtime_end": "2026-12-07T06:31:05+01:00",
        "bedtime_start": "2026-12-06T23:01:05+01:00",
        "day": "2026-12-07",
        "deep_sleep_duration": 5190,
        "light_sleep_duration": 14280,
        "lowest_heart_rate": 49,
        "rem_sleep_duration": 5070,
        "total_sleep_duration": 24540,
        "type": "long_sleep",
    },
}
WHOOP_WORKOUT = {
    "id": WHOOP_WORKOUT_ID,
    "v1_id": 1043,
    "user_id": 9012,
    "created_at": "2026-12-06T11:25:44.774Z",
    "updated_at": "2026-12-06T14:25:44.774Z",
    "start": "2026-12-06T17:30:00.000Z",
    "end": "2026-12-06T18:15:00.000Z",
    "timezone_offset": "+02:00",
    "sport_name": "running",
    "score_state": "SCORED",
    "score": {
        "strain": 8.2463,
        "average_heart_rate": 123,
        "max_heart_rate": 146,
        "kilojoule": 1569.34,
        "percent_recorded": 100,
        "distance_meter": 1772.77,
    },
    "sport_id": 1,
}
FITBIT_DAY = "2026-12-06"
FITBIT_ACTIVITIES = {
    "activities": [],
    "goals": {"activeMinutes": 30, "caloriesOut": 2500, "distance": 8.05, "steps": 10000},
    "summary": {
        "activeScore": -1,
        "activityCalories": 1014,
        "caloriesOut": 2408,
        "restingHeartRate": 58,
        "sedentaryMinutes": 715,
        "steps": 9120,
    },
}
FITBIT_WEIGHT = {
    "weight": [
        {
            "bmi": 24.61,
            "date": FITBIT_DAY,
            "logId": 1733468400000,
            "source": "Aria",
            "time": "07:00:00",
            "weight": 80.5,
        }
    ]
}


def _client_authenticated(authorization: str | None, secret: str) -> None:
    expected = base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode()
    if authorization != f"Basic {expected}":
        raise HTTPException(401)


async def _token_answer(request: Request, secret: str, user_id: str | None) -> dict[str, Any]:
    """An OAuth 2 token endpoint: the authorization code, or the refresh token, for tokens."""
    _client_authenticated(request.headers.get("authorization"), secret)
    form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
    if form.get("grant_type") == "authorization_code" and form.get("code") == GOOD_CODE:
        access = ACCESS_TOKEN
    elif form.get("grant_type") == "refresh_token" and form.get("refresh_token") == REFRESH_TOKEN:
        access = REFRESHED_TOKEN
    else:
        raise HTTPException(400, detail="invalid_grant")
    answer: dict[str, Any] = {
        "access_token": access,
        "refresh_token": REFRESH_TOKEN,
        "expires_in": 28800,
        "token_type": "Bearer",
        "scope": "activity weight",
    }
    if user_id is not None:
        answer["user_id"] = user_id
    return answer


def wearable_settings(api_url: str) -> dict[str, object]:
    """The settings of an app whose providers are configured and live at `api_url`."""
    return {
        **SECRETS,
        "oura_api_url": api_url,
        "whoop_api_url": api_url,
        "fitbit_api_url": api_url,
    }


def provider_api() -> FastAPI:
    """A stand-in of the Oura, Whoop and Fitbit APIs and token endpoints, answering the
    captured documents to the stand-in access tokens only."""
    api = FastAPI()

    def authorized(authorization: str | None) -> None:
        if authorization not in (f"Bearer {ACCESS_TOKEN}", f"Bearer {REFRESHED_TOKEN}"):
            raise HTTPException(401)

    @api.post("/oauth2/token")
    async def fitbit_token(request: Request) -> dict[str, Any]:
        return await _token_answer(request, FITBIT_SECRET, "228S74")

    @api.post("/oauth/token")
    async def oura_token(request: Request) -> dict[str, Any]:
        return await _token_answer(request, OURA_SECRET, None)

    @api.get("/v2/usercollection/personal_info")
    async def oura_profile(authorization: str | None = Header(None)) -> dict[str, Any]:
        authorized(authorization)
        return {"id": "oura-user-1", "age": 31, "weight": 74.2, "height": 1.8}

    @api.get("/v2/usercollection/{data_type}/{object_id}")
    async def oura(
        data_type: str, object_id: str, authorization: str | None = Header(None)
    ) -> dict[str, Any]:
        authorized(authorization)
        document = OURA_DOCUMENTS.get(f"{data_type}/{object_id}")
        if document is None:
            raise HTTPException(404)
        return document

    @api.get("/developer/v2/activity/workout/{workout_id}")
    async def whoop(workout_id: str, authorization: str | None = Header(None)) -> dict[str, Any]:
        authorized(authorization)
        if workout_id != WHOOP_WORKOUT_ID:
            raise HTTPException(404)
        return WHOOP_WORKOUT

    @api.get("/1/user/-/activities/date/{day}.json")
    async def fitbit_activities(day: str, authorization: str | None = Header(None)) -> Any:
        authorized(authorization)
        return FITBIT_ACTIVITIES

    @api.get("/1/user/-/body/log/weight/date/{day}.json")
    async def fitbit_weight(day: str, authorization: str | None = Header(None)) -> Any:
        authorized(authorization)
        return FITBIT_WEIGHT

    return api


def connection(
    customer_id: str, provider: str, external_user_id: str, signing_secret: str
) -> WearableConnection:
    return WearableConnection(
        id=uuid.uuid4(),
        customer_id=uuid.UUID(customer_id),
        provider=provider,
        external_user_id=external_user_id,
        access_token_sealed=seal(signing_secret, "wearable-token", ACCESS_TOKEN),
    )


def body_of(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def partner_delivery(
    document: Any, when: datetime, message_id: str | None = None
) -> tuple[bytes, dict[str, str]]:
    body = body_of(document)
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    signature = Webhook(PARTNER_SECRET).sign(message_id, when, body)
    return body, {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def oura_delivery(document: Any, when: datetime) -> tuple[bytes, dict[str, str]]:
    body, stamp = body_of(document), str(int(when.timestamp()))
    digest = hmac.new(OURA_SECRET.encode(), stamp.encode() + body, hashlib.sha256)
    return body, {"x-oura-signature": digest.hexdigest().upper(), "x-oura-timestamp": stamp}


def whoop_delivery(document: Any, when: datetime) -> tuple[bytes, dict[str, str]]:
    body, stamp = body_of(document), str(int(when.timestamp() * 1000))
    digest = hmac.new(WHOOP_SECRET.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return body, {
        "X-WHOOP-Signature": base64.b64encode(digest).decode(),
        "X-WHOOP-Signature-Timestamp": stamp,
    }


def fitbit_delivery(document: Any) -> tuple[bytes, dict[str, str]]:
    body = body_of(document)
    digest = hmac.new(f"{FITBIT_SECRET}&".encode(), body, hashlib.sha1).digest()
    return body, {"X-Fitbit-Signature": base64.b64encode(digest).decode()}
