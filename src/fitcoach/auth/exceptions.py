"""Refusals that more than one sign-in flow gives."""

from fitcoach.core.errors import NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    message = "Invalid credentials"


class AccountNotRegistered(NotFound):
    message = "User not found. Please complete registration with name and other details."


class WrongCurrentPassword(Unauthorized):
    message = "Current password is incorrect"
