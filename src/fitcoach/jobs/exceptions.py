"""Refusals of the job administration."""

from fitcoach.core.errors import Conflict, NotFound


class JobNotFound(NotFound):
    message = "Job not found"


class JobNotRetryable(Conflict):
    message = "Only a dead job can be retried"


class JobNotDiscardable(Conflict):
    message = "Only a pending, scheduled or dead job can be discarded"
