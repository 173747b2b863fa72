"""Refusals of the admin console's account management."""

from fitcoach.core.errors import Unprocessable


class CannotBlockSelf(Unprocessable):
    message = "You cannot block your own account"


class CannotRemoveOwnAdminRole(Unprocessable):
    message = "You cannot remove your own admin role"
