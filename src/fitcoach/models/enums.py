"""Closed vocabularies stored as strings (portable across SQLite and PostgreSQL)."""

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    COACH = "COACH"
    ADMIN = "ADMIN"
    # Answers support tickets and, with admins, is "support" to whoever messages it.
    SUPPORT_AGENT = "SUPPORT_AGENT"


# "Support" to the rest of the product: whoever answers tickets and customers' support messages.
SUPPORT_ROLES = (Role.ADMIN, Role.SUPPORT_AGENT)


class Gender(StrEnum):
    male = "male"
    female = "female"


class OtpPurpose(StrEnum):
    # Codes from /auth/otp/send and /otp/send: login, register, /otp/verify.
    auth = "auth"
    # Codes from /auth/forgot-password: only /auth/reset-password.
    password_reset = "password_reset"


class SubscriptionType(StrEnum):
    free = "free"
    paid = "paid"


class PlanType(StrEnum):
    training = "training"
    diet = "diet"


class NotificationCategory(StrEnum):
    """What a notification is about; preferences are kept per category and channel."""

    subscription = "subscription"
    trial = "trial"
    training = "training"
    sessions = "sessions"
    messages = "messages"
    account = "account"
    # A coach's feed of their clients' activity: completions, substitutions.
    client_activity = "client_activity"
    # One e-mail listing the messages left unread for a while (messaging's digest).
    message_digest = "message_digest"


class NotificationChannel(StrEnum):
    in_app = "in_app"
    push = "push"
    email = "email"
    sms = "sms"


class DeliveryState(StrEnum):
    # Waiting for its due time (now, or the end of the user's quiet hours) or for a retry.
    pending = "pending"
    sent = "sent"
    # Given up: the provider refused, or the attempts ran out.
    failed = "failed"
    # Nowhere to send it: no device, no verified address, or the user is blocked.
    skipped = "skipped"


class DeviceKind(StrEnum):
    webpush = "webpush"
    fcm = "fcm"


class ProductStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"
