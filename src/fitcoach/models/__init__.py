"""SQLAlchemy tables, one module per aggregate; importing this package registers them all."""

from fitcoach.models.audit import AuditEntry
from fitcoach.models.auth import AuthSession, OtpCode, RefreshToken
from fitcoach.models.plan import Plan, PlanItem
from fitcoach.models.setting import Setting
from fitcoach.models.subscription import Subscription
from fitcoach.models.user import User, UserRole

__all__ = [
    "AuditEntry",
    "AuthSession",
    "OtpCode",
    "Plan",
    "PlanItem",
    "RefreshToken",
    "Setting",
    "Subscription",
    "User",
    "UserRole",
]
