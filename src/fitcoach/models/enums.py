"""Closed vocabularies stored as strings (portable across SQLite and PostgreSQL)."""

from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    COACH = "COACH"
    ADMIN = "ADMIN"


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
