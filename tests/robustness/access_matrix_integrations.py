"""The access matrix's rows for the integrations domain (see access_matrix for the rules).

API keys are the business's: only admins issue, list, rotate and revoke them. The key itself
is handed over once, in the answers that issue or rotate it. The wearables' webhook takes no
token: the provider's signature is its only way in, so an unsigned call is 401 for everyone.
Customers connect their own wearables (staff get 403); the world configures no provider, so a
customer's authorize and connect are refused as 400, and there is nothing to disconnect (404).
"""

from __future__ import annotations

import uuid

from fitcoach.access.api_keys import issue_secret
from fitcoach.models import ApiKey
from tests.robustness.cells import Call, Row, admin_only, body_of, call_on, signed_in
from tests.robustness.world import Actor, World

API_KEYS = "/api/v1/integrations/api-keys"
_KEY_HANDED_OVER = frozenset({"key"})


async def _stored_key(world: World, actor: Actor) -> Call:
    """A live key of the world's own, for the routes that name one."""
    issued = issue_secret(world.app.state.settings)
    key_id = uuid.uuid4()
    async with world.app.state.sessionmaker() as session, session.begin():
        session.add(
            ApiKey(
                id=key_id,
                name="Matrix key",
                prefix=issued.prefix,
                secret_hash=issued.secret_hash,
                scopes=["customers:read"],
                rate_limit=60,
            )
        )
    return Call(path={"apiKeyId": str(key_id)})


CONNECTIONS = "/api/v1/integrations/wearables/connections"
on_fitbit = call_on(provider=lambda world: "fitbit")


INTEGRATIONS_MATRIX: dict[tuple[str, str], Row] = {
    ("POST", API_KEYS): Row(
        admin_only(201),
        body_of(lambda world: {"name": "Matrix", "rateLimit": 60, "scopes": ["customers:read"]}),
        hands_over=_KEY_HANDED_OVER,
    ),
    ("GET", API_KEYS): Row(admin_only()),
    ("POST", API_KEYS + "/{apiKeyId}/rotate"): Row(
        admin_only(), _stored_key, hands_over=_KEY_HANDED_OVER
    ),
    ("POST", API_KEYS + "/{apiKeyId}/revoke"): Row(admin_only(), _stored_key),
    ("POST", "/api/v1/integrations/wearables/webhook"): Row(
        dict.fromkeys(Actor, 401), body_of(lambda world: {"type": "metrics.recorded"})
    ),
    ("POST", CONNECTIONS + "/{provider}/authorize"): Row(
        signed_in(400, 400, 403, 403, 403), on_fitbit()
    ),
    ("POST", CONNECTIONS + "/{provider}"): Row(
        signed_in(400, 400, 403, 403, 403),
        on_fitbit(lambda world: {"code": "matrix-code", "state": "1.forged"}),
    ),
    ("GET", CONNECTIONS): Row(signed_in(200, 200, 403, 403, 403)),
    ("DELETE", CONNECTIONS + "/{provider}"): Row(signed_in(404, 404, 403, 403, 403), on_fitbit()),
}
