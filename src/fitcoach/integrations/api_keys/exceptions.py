"""Why an API key request was refused."""

from fitcoach.core.errors import Conflict, NotFound


class ApiKeyNotFound(NotFound):
    message = "API key not found"


class ApiKeyRevoked(Conflict):
    message = "This API key is revoked: issue a new one"
