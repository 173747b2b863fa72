"""Proving an account's e-mail address. EmailDelivery is named here too: it was importable from
`fitcoach.auth.email_verification` before this became a package, and the job-queue work moves
e-mail sending at that seam."""

from fitcoach.auth.email_verification.service import EmailDelivery

__all__ = ["EmailDelivery"]
