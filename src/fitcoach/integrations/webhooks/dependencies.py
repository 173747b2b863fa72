"""Who manages outgoing webhooks: admins, or an API key holding `webhooks:manage`."""

from __future__ import annotations

from typing import Annotated

from fitcoach.access.api_keys import ApiScope
from fitcoach.access.dependencies import admin_or_api_key
from fitcoach.models import Actor

WebhookManager = Annotated[Actor, admin_or_api_key(ApiScope.WEBHOOKS_MANAGE)]
